;; Flint backend-cpu: im2col and col2im for conv2d (NCHW float32) in WebAssembly SIMD, and the
;; per-channel bias add of the output matrix.
;;
;; Hand-written; assembled by scripts/wasm.ts (wabt) into src/wasm/conv-bytes.ts, which is
;; committed (a test reassembles this file and checks the bytes match).
;;
;; The columns of m images sit side by side: row r = (c*kH + ki)*kW + kj of the column matrix
;; is [m*Ho*Wo] long, image i's block at i*Ho*Wo, element oh*Wo + ow = x[c, ih, iw] with
;; ih = oh*sH - pH + ki*dH, iw = ow*sW - pW + kj*dW (0 outside the input). Pointers are byte
;; addresses; $xs is the byte stride between images. Each output row's in-input columns [lo, hi)
;; are computed once per (c, ki, kj), so the copy loops have no bounds test; with sW = 1 a row is
;; one f32x4 copy (JavaScript moved these runs of 10-28 floats one element at a time).
(module
  (import "env" "memory" (memory 1))

  ;; [lo, hi): the output columns whose input column ow*sW + shift lies inside [0, W), packed
  ;; as lo | hi << 16 (Wo < 2^15 is checked on the JS side).
  (func $valid (param $shift i32) (param $sW i32) (param $W i32) (param $Wo i32) (result i32)
    (local $lo i32) (local $hi i32) (local $t i32)
    ;; lo = shift >= 0 ? 0 : ceil(-shift / sW)
    (if (i32.lt_s (local.get $shift) (i32.const 0))
      (then (local.set $lo (i32.div_s (i32.sub (i32.add (i32.sub (i32.const 0) (local.get $shift)) (local.get $sW)) (i32.const 1))
                                      (local.get $sW)))))
    ;; hi = min(Wo, max(0, ceil((W - shift) / sW)))
    (local.set $t (i32.sub (local.get $W) (local.get $shift)))
    (if (i32.gt_s (local.get $t) (i32.const 0))
      (then (local.set $hi (i32.div_s (i32.sub (i32.add (local.get $t) (local.get $sW)) (i32.const 1)) (local.get $sW)))))
    (if (i32.gt_s (local.get $hi) (local.get $Wo)) (then (local.set $hi (local.get $Wo))))
    (if (i32.gt_s (local.get $lo) (local.get $hi)) (then (local.set $lo (local.get $hi))))
    (i32.or (local.get $lo) (i32.shl (local.get $hi) (i32.const 16))))

  ;; Column matrix of m images at $col (rows of m*Ho*Wo floats, 16 bytes of slack after it: the
  ;; f32x4 copies may run up to 3 floats past a row's end). Rows are written in memory order
  ;; (row r, then image, then oh), and each output row is written whole (prefix zeros, copy,
  ;; suffix zeros) after the previous row's overrun, so an overrun is always overwritten later.
  (func (export "im2col")
    (param $x i32) (param $xs i32) (param $m i32) (param $Cg i32) (param $H i32) (param $W i32)
    (param $kH i32) (param $kW i32) (param $Ho i32) (param $Wo i32) (param $sH i32) (param $sW i32)
    (param $pH i32) (param $pW i32) (param $dH i32) (param $dW i32) (param $col i32)
    (local $c i32) (local $ki i32) (local $kj i32) (local $i i32) (local $oh i32) (local $ow i32)
    (local $shift i32) (local $lo i32) (local $hi i32) (local $lohi i32) (local $ih i32)
    (local $plane i32) (local $dst i32) (local $src i32) (local $rowBytes i32) (local $end i32)
    (local $HW4 i32) (local $W4 i32) (local $sW4 i32) (local $whole i32) (local $q i32) (local $sHW4 i32)
    (local.set $sHW4 (i32.shl (i32.mul (local.get $sH) (local.get $W)) (i32.const 2)))
    (local.set $rowBytes (i32.shl (local.get $Wo) (i32.const 2)))
    (local.set $HW4 (i32.shl (i32.mul (local.get $H) (local.get $W)) (i32.const 2)))
    (local.set $W4 (i32.shl (local.get $W) (i32.const 2)))
    (local.set $sW4 (i32.shl (local.get $sW) (i32.const 2)))
    (local.set $dst (local.get $col))
    (if (i32.eqz (i32.mul (local.get $Ho) (local.get $Wo))) (then (return)))
    (local.set $c (i32.const 0))
    (loop $lc
      (local.set $ki (i32.const 0))
      (loop $lki
        (local.set $kj (i32.const 0))
        (loop $lkj
          (local.set $shift (i32.sub (i32.mul (local.get $kj) (local.get $dW)) (local.get $pW)))
          (local.set $lohi (call $valid (local.get $shift) (local.get $sW) (local.get $W) (local.get $Wo)))
          (local.set $lo (i32.and (local.get $lohi) (i32.const 0xffff)))
          (local.set $hi (i32.shr_u (local.get $lohi) (i32.const 16)))
          ;; whole: every output row copies Wo contiguous input floats (column stride 1, no column
          ;; or row of padding for this tap): rows of plain f32x4 copies, no zero runs or tests
          (local.set $whole (i32.and
            (i32.and (i32.eq (local.get $sW) (i32.const 1))
                     (i32.and (i32.eqz (local.get $lo)) (i32.eq (local.get $hi) (local.get $Wo))))
            (i32.and (i32.ge_s (i32.sub (i32.mul (local.get $ki) (local.get $dH)) (local.get $pH)) (i32.const 0))
                     (i32.lt_s (i32.add (i32.sub (i32.mul (i32.sub (local.get $Ho) (i32.const 1)) (local.get $sH)) (local.get $pH))
                                        (i32.mul (local.get $ki) (local.get $dH)))
                               (local.get $H)))))
          (local.set $i (i32.const 0))
          (loop $li
            (local.set $plane (i32.add (i32.add (local.get $x) (i32.mul (local.get $i) (local.get $xs)))
                                       (i32.mul (local.get $c) (local.get $HW4))))
            (local.set $oh (i32.const 0))
            (if (local.get $whole)
              (then
                ;; src: input row ki*dH - pH, column shift
                (local.set $src (i32.add (i32.add (local.get $plane)
                                                  (i32.mul (i32.sub (i32.mul (local.get $ki) (local.get $dH)) (local.get $pH)) (local.get $W4)))
                                         (i32.shl (local.get $shift) (i32.const 2))))
                (loop $lw
                  (local.set $q (i32.const 0))
                  (loop $lwq
                    (v128.store align=4 (i32.add (local.get $dst) (local.get $q)) (v128.load align=4 (i32.add (local.get $src) (local.get $q))))
                    (local.set $q (i32.add (local.get $q) (i32.const 16)))
                    (br_if $lwq (i32.lt_u (local.get $q) (local.get $rowBytes))))
                  (local.set $dst (i32.add (local.get $dst) (local.get $rowBytes)))
                  (local.set $src (i32.add (local.get $src) (local.get $sHW4)))
                  (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
                  (br_if $lw (i32.lt_u (local.get $oh) (local.get $Ho)))))
              (else
            (loop $loh
              (local.set $ih (i32.add (i32.sub (i32.mul (local.get $oh) (local.get $sH)) (local.get $pH))
                                      (i32.mul (local.get $ki) (local.get $dH))))
              (local.set $end (i32.add (local.get $dst) (local.get $rowBytes)))
              (if (i32.ge_u (local.get $ih) (local.get $H))
                (then
                  ;; a padding row: zeros, f32x4 at a time (the overrun is overwritten later)
                  (loop $z
                    (v128.store align=4 (local.get $dst) (v128.const i64x2 0 0))
                    (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
                    (br_if $z (i32.lt_u (local.get $dst) (local.get $end)))))
                (else
                  ;; src: the byte address of input column ow*sW + shift at ow = 0 (may lie before
                  ;; the row; only ow >= lo is read)
                  (local.set $src (i32.add (i32.add (local.get $plane) (i32.mul (local.get $ih) (local.get $W4)))
                                           (i32.shl (local.get $shift) (i32.const 2))))
                  (local.set $ow (i32.const 0))
                  (block $pre_done
                    (loop $pre
                      (br_if $pre_done (i32.ge_u (local.get $ow) (local.get $lo)))
                      (f32.store (i32.add (local.get $dst) (i32.shl (local.get $ow) (i32.const 2))) (f32.const 0))
                      (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
                      (br $pre)))
                  (if (i32.eq (local.get $sW) (i32.const 1))
                    (then
                      (block $cp_done
                        (loop $cp
                          (br_if $cp_done (i32.ge_u (local.get $ow) (local.get $hi)))
                          (v128.store align=4 (i32.add (local.get $dst) (i32.shl (local.get $ow) (i32.const 2)))
                            (v128.load align=4 (i32.add (local.get $src) (i32.shl (local.get $ow) (i32.const 2)))))
                          (local.set $ow (i32.add (local.get $ow) (i32.const 4)))
                          (br $cp))))
                    (else
                      (block $cs_done
                        (loop $cs
                          (br_if $cs_done (i32.ge_u (local.get $ow) (local.get $hi)))
                          (f32.store (i32.add (local.get $dst) (i32.shl (local.get $ow) (i32.const 2)))
                            (f32.load (i32.add (local.get $src) (i32.mul (local.get $ow) (local.get $sW4)))))
                          (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
                          (br $cs)))))
                  ;; suffix zeros from hi (this also overwrites the copy's overrun inside the row)
                  (local.set $ow (local.get $hi))
                  (block $suf_done
                    (loop $suf
                      (br_if $suf_done (i32.ge_u (local.get $ow) (local.get $Wo)))
                      (f32.store (i32.add (local.get $dst) (i32.shl (local.get $ow) (i32.const 2))) (f32.const 0))
                      (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
                      (br $suf)))
                  (local.set $dst (local.get $end))))
              ;; the zero loop may have stepped past the row's end
              (local.set $dst (local.get $end))
              (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
              (br_if $loh (i32.lt_u (local.get $oh) (local.get $Ho))))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $li (i32.lt_u (local.get $i) (local.get $m))))
          (local.set $kj (i32.add (local.get $kj) (i32.const 1)))
          (br_if $lkj (i32.lt_u (local.get $kj) (local.get $kW))))
        (local.set $ki (i32.add (local.get $ki) (i32.const 1)))
        (br_if $lki (i32.lt_u (local.get $ki) (local.get $kH))))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br_if $lc (i32.lt_u (local.get $c) (local.get $Cg)))))

  ;; mat[r, :] += bias[r] in place for r < $rows, rows of $len floats at $p, bias at $b (float32,
  ;; f32x4.add rounds each lane as a float32 add: the bits of a separate broadcast add).
  (func (export "addRowBias") (param $p i32) (param $rows i32) (param $len i32) (param $b i32)
    (local $r i32) (local $q i32) (local $end i32) (local $end4 i32) (local $bv v128) (local $bs f32)
    (if (i32.or (i32.eqz (local.get $rows)) (i32.eqz (local.get $len))) (then (return)))
    (local.set $q (local.get $p))
    (loop $lr
      (local.set $bs (f32.load (i32.add (local.get $b) (i32.shl (local.get $r) (i32.const 2)))))
      (local.set $bv (f32x4.splat (local.get $bs)))
      (local.set $end (i32.add (local.get $q) (i32.shl (local.get $len) (i32.const 2))))
      (local.set $end4 (i32.sub (local.get $end) (i32.shl (i32.and (local.get $len) (i32.const 3)) (i32.const 2))))
      (block $v_done
        (loop $v
          (br_if $v_done (i32.ge_u (local.get $q) (local.get $end4)))
          (v128.store align=4 (local.get $q) (f32x4.add (v128.load align=4 (local.get $q)) (local.get $bv)))
          (local.set $q (i32.add (local.get $q) (i32.const 16)))
          (br $v)))
      (block $t_done
        (loop $t
          (br_if $t_done (i32.ge_u (local.get $q) (local.get $end)))
          (f32.store (local.get $q) (f32.add (f32.load (local.get $q)) (local.get $bs)))
          (local.set $q (i32.add (local.get $q) (i32.const 4)))
          (br $t)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br_if $lr (i32.lt_u (local.get $r) (local.get $rows)))))

  ;; ---- direct convolution of a single-channel input at stride 1, undilated (LeNet's first layer:
  ;; im2col would write 25 floats per input float; the direct loop reads the padded input in place).
  ;; $xp: the input padded by the JS side's `pad` call, [N, Hp, Wp] float32, 32 bytes of slack after.

  ;; xp[n, h + pH, w + pW] = x[n, h, w], zeros around: [N, Hp, Wp] at $dst (whole region zeroed first).
  (func (export "pad") (param $src i32) (param $N i32) (param $H i32) (param $W i32) (param $pH i32) (param $pW i32)
    (param $dst i32) (param $Hp i32) (param $Wp i32)
    (local $r i32) (local $rows i32) (local $n i32) (local $h i32)
    (memory.fill (local.get $dst) (i32.const 0)
      (i32.add (i32.shl (i32.mul (i32.mul (local.get $N) (local.get $Hp)) (local.get $Wp)) (i32.const 2)) (i32.const 32)))
    (local.set $rows (i32.mul (local.get $N) (local.get $H)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $n (i32.div_u (local.get $r) (local.get $H)))
        (local.set $h (i32.rem_u (local.get $r) (local.get $H)))
        (memory.copy
          (i32.add (local.get $dst)
            (i32.shl (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $Hp)) (i32.add (local.get $h) (local.get $pH)))
                                       (local.get $Wp))
                              (local.get $pW))
                     (i32.const 2)))
          (i32.add (local.get $src) (i32.shl (i32.mul (local.get $r) (local.get $W)) (i32.const 2)))
          (i32.shl (local.get $W) (i32.const 2)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $l))))

  ;; out[n, o, oh, ow] = sum_{ki, kj} w[o, ki, kj] * xp[n, oh + ki, ow + kj] (f32, taps in order),
  ;; then + bias[o] when $hasBias (a separate float32 add: the bits of conv2d then a broadcast add).
  ;; $wv: the weights splatted, one f32x4 per tap. Three channels and eight outputs per step (six
  ;; independent f32x4 sums fed by three weight and two x loads), then four outputs; a row's last
  ;; Wo mod 4 outputs are recomputed with the four ending at Wo (every lane sums its taps the same
  ;; way, so the overlap stores the same bits), rows under four outputs one output at a time. The
  ;; last block of channels repeats channel O - 1 where O is not a multiple of three (the copies
  ;; store the same values into the same place).
  (func (export "conv1Direct") (param $xp i32) (param $N i32) (param $Hp i32) (param $Wp i32) (param $wv i32)
    (param $O i32) (param $kH i32) (param $kW i32) (param $Ho i32) (param $Wo i32) (param $bias i32) (param $hasBias i32)
    (param $out i32)
    (local $n i32) (local $o i32) (local $o1 i32) (local $o2 i32) (local $oh i32) (local $ow i32) (local $q i32) (local $ki i32)
    (local $img i32) (local $row i32) (local $p i32) (local $pend i32) (local $wp i32) (local $dw1 i32) (local $dw2 i32)
    (local $dst0 i32) (local $dst1 i32) (local $dst2 i32) (local $c i32) (local $dst i32)
    (local $a00 v128) (local $a01 v128) (local $a10 v128) (local $a11 v128) (local $a20 v128) (local $a21 v128)
    (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $x0 v128) (local $x1 v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $sacc f32)
    (local $Wp4 i32) (local $KK16 i32) (local $plane4 i32) (local $kW4 i32)
    (local.set $Wp4 (i32.shl (local.get $Wp) (i32.const 2)))
    (local.set $kW4 (i32.shl (local.get $kW) (i32.const 2)))
    (local.set $KK16 (i32.shl (i32.mul (local.get $kH) (local.get $kW)) (i32.const 4)))
    (local.set $plane4 (i32.shl (i32.mul (local.get $Ho) (local.get $Wo)) (i32.const 2)))
    (block $n_done
      (loop $ln
        (br_if $n_done (i32.ge_u (local.get $n) (local.get $N)))
        (local.set $img (i32.add (local.get $xp) (i32.mul (i32.mul (local.get $n) (local.get $Hp)) (local.get $Wp4))))
        (local.set $o (i32.const 0))
        (block $o_done
          (loop $lo
            (br_if $o_done (i32.ge_u (local.get $o) (local.get $O)))
            ;; the block's channels o, o1, o2 (clamped to O - 1)
            (local.set $o1 (select (i32.add (local.get $o) (i32.const 1)) (i32.sub (local.get $O) (i32.const 1))
                                   (i32.lt_u (i32.add (local.get $o) (i32.const 1)) (local.get $O))))
            (local.set $o2 (select (i32.add (local.get $o) (i32.const 2)) (i32.sub (local.get $O) (i32.const 1))
                                   (i32.lt_u (i32.add (local.get $o) (i32.const 2)) (local.get $O))))
            (local.set $dw1 (i32.mul (i32.sub (local.get $o1) (local.get $o)) (local.get $KK16)))
            (local.set $dw2 (i32.mul (i32.sub (local.get $o2) (local.get $o)) (local.get $KK16)))
            (local.set $b0 (f32x4.splat (f32.load (i32.add (local.get $bias) (i32.shl (local.get $o) (i32.const 2))))))
            (local.set $b1 (f32x4.splat (f32.load (i32.add (local.get $bias) (i32.shl (local.get $o1) (i32.const 2))))))
            (local.set $b2 (f32x4.splat (f32.load (i32.add (local.get $bias) (i32.shl (local.get $o2) (i32.const 2))))))
            (local.set $oh (i32.const 0))
            (loop $loh
              (local.set $row (i32.add (local.get $img) (i32.mul (local.get $oh) (local.get $Wp4))))
              ;; dst0..2: output rows (n, o, oh), (n, o1, oh), (n, o2, oh)
              (local.set $dst0 (i32.add (i32.add (local.get $out)
                                                 (i32.mul (i32.add (i32.mul (local.get $n) (local.get $O)) (local.get $o)) (local.get $plane4)))
                                        (i32.shl (i32.mul (local.get $oh) (local.get $Wo)) (i32.const 2))))
              (local.set $dst1 (i32.add (local.get $dst0) (i32.mul (i32.sub (local.get $o1) (local.get $o)) (local.get $plane4))))
              (local.set $dst2 (i32.add (local.get $dst0) (i32.mul (i32.sub (local.get $o2) (local.get $o)) (local.get $plane4))))
              (local.set $ow (i32.const 0))
              (block $v8_done
                (loop $v8
                  (br_if $v8_done (i32.gt_u (i32.add (local.get $ow) (i32.const 8)) (local.get $Wo)))
                  (local.set $q (local.get $ow))
                  (local.set $a00 (v128.const i64x2 0 0))
                  (local.set $a01 (v128.const i64x2 0 0))
                  (local.set $a10 (v128.const i64x2 0 0))
                  (local.set $a11 (v128.const i64x2 0 0))
                  (local.set $a20 (v128.const i64x2 0 0))
                  (local.set $a21 (v128.const i64x2 0 0))
                  (local.set $wp (i32.add (local.get $wv) (i32.mul (local.get $o) (local.get $KK16))))
                  (local.set $ki (i32.const 0))
                  (loop $lki
                    (local.set $p (i32.add (i32.add (local.get $row) (i32.mul (local.get $ki) (local.get $Wp4))) (i32.shl (local.get $q) (i32.const 2))))
                    (local.set $pend (i32.add (local.get $p) (local.get $kW4)))
                    (loop $lkj
                      (local.set $w0 (v128.load (local.get $wp)))
                      (local.set $w1 (v128.load (i32.add (local.get $wp) (local.get $dw1))))
                      (local.set $w2 (v128.load (i32.add (local.get $wp) (local.get $dw2))))
                      (local.set $x0 (v128.load offset=0 align=4 (local.get $p)))
                      (local.set $x1 (v128.load offset=16 align=4 (local.get $p)))
                      (local.set $a00 (f32x4.add (local.get $a00) (f32x4.mul (local.get $x0) (local.get $w0))))
                      (local.set $a01 (f32x4.add (local.get $a01) (f32x4.mul (local.get $x1) (local.get $w0))))
                      (local.set $a10 (f32x4.add (local.get $a10) (f32x4.mul (local.get $x0) (local.get $w1))))
                      (local.set $a11 (f32x4.add (local.get $a11) (f32x4.mul (local.get $x1) (local.get $w1))))
                      (local.set $a20 (f32x4.add (local.get $a20) (f32x4.mul (local.get $x0) (local.get $w2))))
                      (local.set $a21 (f32x4.add (local.get $a21) (f32x4.mul (local.get $x1) (local.get $w2))))
                      (local.set $wp (i32.add (local.get $wp) (i32.const 16)))
                      (local.set $p (i32.add (local.get $p) (i32.const 4)))
                      (br_if $lkj (i32.lt_u (local.get $p) (local.get $pend))))
                    (local.set $ki (i32.add (local.get $ki) (i32.const 1)))
                    (br_if $lki (i32.lt_u (local.get $ki) (local.get $kH))))
                  (if (local.get $hasBias)
                    (then
                      (local.set $a00 (f32x4.add (local.get $a00) (local.get $b0)))
                      (local.set $a01 (f32x4.add (local.get $a01) (local.get $b0)))
                      (local.set $a10 (f32x4.add (local.get $a10) (local.get $b1)))
                      (local.set $a11 (f32x4.add (local.get $a11) (local.get $b1)))
                      (local.set $a20 (f32x4.add (local.get $a20) (local.get $b2)))
                      (local.set $a21 (f32x4.add (local.get $a21) (local.get $b2)))
                      ))
                  (v128.store offset=0 align=4 (i32.add (local.get $dst0) (i32.shl (local.get $q) (i32.const 2))) (local.get $a00))
                  (v128.store offset=16 align=4 (i32.add (local.get $dst0) (i32.shl (local.get $q) (i32.const 2))) (local.get $a01))
                  (v128.store offset=0 align=4 (i32.add (local.get $dst1) (i32.shl (local.get $q) (i32.const 2))) (local.get $a10))
                  (v128.store offset=16 align=4 (i32.add (local.get $dst1) (i32.shl (local.get $q) (i32.const 2))) (local.get $a11))
                  (v128.store offset=0 align=4 (i32.add (local.get $dst2) (i32.shl (local.get $q) (i32.const 2))) (local.get $a20))
                  (v128.store offset=16 align=4 (i32.add (local.get $dst2) (i32.shl (local.get $q) (i32.const 2))) (local.get $a21))
                  (local.set $ow (i32.add (local.get $ow) (i32.const 8)))
                  (br $v8)))
              (if (i32.ge_u (local.get $Wo) (i32.const 4))
                (then
                  ;; the last four outputs (or fewer): the quad ending at Wo, overlapping outputs already stored
                  (if (i32.lt_u (local.get $ow) (local.get $Wo))
                    (then
                      (local.set $q (select (local.get $ow) (i32.sub (local.get $Wo) (i32.const 4)) (i32.le_u (i32.add (local.get $ow) (i32.const 4)) (local.get $Wo))))
                      (local.set $a00 (v128.const i64x2 0 0))
                      (local.set $a10 (v128.const i64x2 0 0))
                      (local.set $a20 (v128.const i64x2 0 0))
                      (local.set $wp (i32.add (local.get $wv) (i32.mul (local.get $o) (local.get $KK16))))
                      (local.set $ki (i32.const 0))
                      (loop $lki
                        (local.set $p (i32.add (i32.add (local.get $row) (i32.mul (local.get $ki) (local.get $Wp4))) (i32.shl (local.get $q) (i32.const 2))))
                        (local.set $pend (i32.add (local.get $p) (local.get $kW4)))
                        (loop $lkj
                          (local.set $w0 (v128.load (local.get $wp)))
                          (local.set $w1 (v128.load (i32.add (local.get $wp) (local.get $dw1))))
                          (local.set $w2 (v128.load (i32.add (local.get $wp) (local.get $dw2))))
                          (local.set $x0 (v128.load offset=0 align=4 (local.get $p)))
                          (local.set $a00 (f32x4.add (local.get $a00) (f32x4.mul (local.get $x0) (local.get $w0))))
                          (local.set $a10 (f32x4.add (local.get $a10) (f32x4.mul (local.get $x0) (local.get $w1))))
                          (local.set $a20 (f32x4.add (local.get $a20) (f32x4.mul (local.get $x0) (local.get $w2))))
                          (local.set $wp (i32.add (local.get $wp) (i32.const 16)))
                          (local.set $p (i32.add (local.get $p) (i32.const 4)))
                          (br_if $lkj (i32.lt_u (local.get $p) (local.get $pend))))
                        (local.set $ki (i32.add (local.get $ki) (i32.const 1)))
                        (br_if $lki (i32.lt_u (local.get $ki) (local.get $kH))))
                      (if (local.get $hasBias)
                        (then
                          (local.set $a00 (f32x4.add (local.get $a00) (local.get $b0)))
                          (local.set $a10 (f32x4.add (local.get $a10) (local.get $b1)))
                          (local.set $a20 (f32x4.add (local.get $a20) (local.get $b2)))
                          ))
                      (v128.store offset=0 align=4 (i32.add (local.get $dst0) (i32.shl (local.get $q) (i32.const 2))) (local.get $a00))
                      (v128.store offset=0 align=4 (i32.add (local.get $dst1) (i32.shl (local.get $q) (i32.const 2))) (local.get $a10))
                      (v128.store offset=0 align=4 (i32.add (local.get $dst2) (i32.shl (local.get $q) (i32.const 2))) (local.get $a20))
                      (local.set $ow (i32.add (local.get $q) (i32.const 4)))))
                  ;; a second quad when eight or more were left past the 8-blocks cannot happen; four to seven:
                  (if (i32.lt_u (local.get $ow) (local.get $Wo))
                    (then
                      (local.set $q (i32.sub (local.get $Wo) (i32.const 4)))
                      (local.set $a00 (v128.const i64x2 0 0))
                      (local.set $a10 (v128.const i64x2 0 0))
                      (local.set $a20 (v128.const i64x2 0 0))
                      (local.set $wp (i32.add (local.get $wv) (i32.mul (local.get $o) (local.get $KK16))))
                      (local.set $ki (i32.const 0))
                      (loop $lki
                        (local.set $p (i32.add (i32.add (local.get $row) (i32.mul (local.get $ki) (local.get $Wp4))) (i32.shl (local.get $q) (i32.const 2))))
                        (local.set $pend (i32.add (local.get $p) (local.get $kW4)))
                        (loop $lkj
                          (local.set $w0 (v128.load (local.get $wp)))
                          (local.set $w1 (v128.load (i32.add (local.get $wp) (local.get $dw1))))
                          (local.set $w2 (v128.load (i32.add (local.get $wp) (local.get $dw2))))
                          (local.set $x0 (v128.load offset=0 align=4 (local.get $p)))
                          (local.set $a00 (f32x4.add (local.get $a00) (f32x4.mul (local.get $x0) (local.get $w0))))
                          (local.set $a10 (f32x4.add (local.get $a10) (f32x4.mul (local.get $x0) (local.get $w1))))
                          (local.set $a20 (f32x4.add (local.get $a20) (f32x4.mul (local.get $x0) (local.get $w2))))
                          (local.set $wp (i32.add (local.get $wp) (i32.const 16)))
                          (local.set $p (i32.add (local.get $p) (i32.const 4)))
                          (br_if $lkj (i32.lt_u (local.get $p) (local.get $pend))))
                        (local.set $ki (i32.add (local.get $ki) (i32.const 1)))
                        (br_if $lki (i32.lt_u (local.get $ki) (local.get $kH))))
                      (if (local.get $hasBias)
                        (then
                          (local.set $a00 (f32x4.add (local.get $a00) (local.get $b0)))
                          (local.set $a10 (f32x4.add (local.get $a10) (local.get $b1)))
                          (local.set $a20 (f32x4.add (local.get $a20) (local.get $b2)))
                          ))
                      (v128.store offset=0 align=4 (i32.add (local.get $dst0) (i32.shl (local.get $q) (i32.const 2))) (local.get $a00))
                      (v128.store offset=0 align=4 (i32.add (local.get $dst1) (i32.shl (local.get $q) (i32.const 2))) (local.get $a10))
                      (v128.store offset=0 align=4 (i32.add (local.get $dst2) (i32.shl (local.get $q) (i32.const 2))) (local.get $a20))
                      )))
                (else
                  ;; rows under four outputs: one output at a time, per channel
                  (local.set $c (i32.const 0))
                  (loop $lc
                    (local.set $dst (select (local.get $dst0) (select (local.get $dst1) (local.get $dst2) (i32.eq (local.get $c) (i32.const 1)))
                                            (i32.eqz (local.get $c))))
                    (local.set $ow (i32.const 0))
                    (loop $ls
                      (local.set $sacc (f32.const 0))
                      (local.set $wp (i32.add (local.get $wv)
                        (i32.add (i32.mul (local.get $o) (local.get $KK16))
                                 (select (i32.const 0) (select (local.get $dw1) (local.get $dw2) (i32.eq (local.get $c) (i32.const 1)))
                                         (i32.eqz (local.get $c))))))
                      (local.set $ki (i32.const 0))
                      (loop $lki_s
                        (local.set $p (i32.add (i32.add (local.get $row) (i32.mul (local.get $ki) (local.get $Wp4))) (i32.shl (local.get $ow) (i32.const 2))))
                        (local.set $pend (i32.add (local.get $p) (local.get $kW4)))
                        (loop $lkj_s
                          (local.set $sacc (f32.add (local.get $sacc) (f32.mul (f32.load (local.get $p)) (f32.load (local.get $wp)))))
                          (local.set $wp (i32.add (local.get $wp) (i32.const 16)))
                          (local.set $p (i32.add (local.get $p) (i32.const 4)))
                          (br_if $lkj_s (i32.lt_u (local.get $p) (local.get $pend))))
                        (local.set $ki (i32.add (local.get $ki) (i32.const 1)))
                        (br_if $lki_s (i32.lt_u (local.get $ki) (local.get $kH))))
                      (if (local.get $hasBias)
                        (then (local.set $sacc (f32.add (local.get $sacc)
                          (f32x4.extract_lane 0 (select (local.get $b0) (select (local.get $b1) (local.get $b2) (i32.eq (local.get $c) (i32.const 1)))
                                                        (i32.eqz (local.get $c))))))))
                      (f32.store (i32.add (local.get $dst) (i32.shl (local.get $ow) (i32.const 2))) (local.get $sacc))
                      (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
                      (br_if $ls (i32.lt_u (local.get $ow) (local.get $Wo))))
                    (local.set $c (i32.add (local.get $c) (i32.const 1)))
                    (br_if $lc (i32.lt_u (local.get $c) (i32.const 3))))))
              (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
              (br_if $loh (i32.lt_u (local.get $oh) (local.get $Ho))))
            (local.set $o (i32.add (local.get $o) (i32.const 3)))
            (br $lo)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $ln))))

  ;; dw[o, ki, kj] (float64 at $dw) = sum_{n, oh, ow} dy[n, o, oh, ow] * xp[n, oh + ki, ow + kj]:
  ;; products and sums in f32x4, each lane over at most 32 products (a chunk may span rows and
  ;; images), each chunk widened into a float64 total at $tot (10 f64x2, 160 bytes), so a long sum
  ;; costs no more than 32 terms' float32 rounding (as the GEMM). Two channels o, o + 1 and five
  ;; taps kj..kj+4 per pass: two dy loads and five x loads feed ten independent f32x4 sums (one sum
  ;; alone waits on the add's latency every step). Taps past kW are computed and dropped (their
  ;; loads stay inside the padded input's 32 bytes of slack); an odd last channel runs as a pair
  ;; with itself, its copy dropped. A row's last Wo mod 4 outputs are one f32x4 step whose products
  ;; are masked to 0 past the row (dy reads up to 12 bytes past its end: the JS side leaves 16).
  (func (export "conv1WeightGrad") (param $xp i32) (param $N i32) (param $Hp i32) (param $Wp i32) (param $dy i32)
    (param $O i32) (param $kH i32) (param $kW i32) (param $Ho i32) (param $Wo i32) (param $dw i32) (param $tot i32)
    (local $o i32) (local $ki i32) (local $kj i32) (local $n i32) (local $oh i32) (local $q i32) (local $steps i32)
    (local $x i32) (local $d0 i32) (local $d1 i32) (local $dOff1 i32) (local $end4 i32) (local $t i32) (local $at i32) (local $segEnd i32)
    (local $v0 v128) (local $v1 v128) (local $xv v128) (local $mask v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128) (local $a8 v128) (local $a9 v128)
    (local $Wp4 i32) (local $HoWo4 i32) (local $KK i32)
    (local.set $Wp4 (i32.shl (local.get $Wp) (i32.const 2)))
    (local.set $HoWo4 (i32.shl (i32.mul (local.get $Ho) (local.get $Wo)) (i32.const 2)))
    (local.set $KK (i32.mul (local.get $kH) (local.get $kW)))
    (local.set $end4 (i32.shl (i32.sub (local.get $Wo) (i32.and (local.get $Wo) (i32.const 3))) (i32.const 2)))
    ;; lanes l < Wo mod 4 all ones: the tail step's valid outputs
    (local.set $mask (i32x4.lt_s (v128.const i32x4 0 1 2 3) (i32x4.splat (i32.and (local.get $Wo) (i32.const 3)))))
    (block $o_done
      (loop $lo
        (br_if $o_done (i32.ge_u (local.get $o) (local.get $O)))
        (local.set $dOff1 (select (local.get $HoWo4) (i32.const 0) (i32.lt_u (i32.add (local.get $o) (i32.const 1)) (local.get $O))))
        (local.set $ki (i32.const 0))
        (loop $lki
          (local.set $kj (i32.const 0))
          (loop $lkj
            (memory.fill (local.get $tot) (i32.const 0) (i32.const 160))
            (local.set $steps (i32.const 0))
            (local.set $n (i32.const 0))
            (block $n_done
              (loop $ln
              (br_if $n_done (i32.ge_u (local.get $n) (local.get $N)))
              (local.set $oh (i32.const 0))
              (loop $loh
                ;; d0: dy[n, o, oh, 0]; x: xp[n, oh + ki, kj]
                (local.set $d0 (i32.add (i32.add (local.get $dy)
                                                 (i32.mul (i32.add (i32.mul (local.get $n) (local.get $O)) (local.get $o)) (local.get $HoWo4)))
                                        (i32.shl (i32.mul (local.get $oh) (local.get $Wo)) (i32.const 2))))
                (local.set $d1 (i32.add (local.get $d0) (local.get $dOff1)))
                (local.set $x (i32.add (local.get $xp)
                                       (i32.shl (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $Hp)) (i32.add (local.get $oh) (local.get $ki)))
                                                                  (local.get $Wp))
                                                         (local.get $kj))
                                                (i32.const 2))))
                (local.set $q (i32.const 0))
                ;; the row's whole quads in segments of at most 32 steps, widened before a segment that would
                ;; overflow the chunk (no test per step)
                (loop $seg
                  (local.set $segEnd (select (local.get $end4) (i32.add (local.get $q) (i32.const 512))
                    (i32.lt_u (i32.sub (local.get $end4) (local.get $q)) (i32.const 512))))
                  (local.set $steps (i32.add (local.get $steps) (i32.shr_u (i32.sub (local.get $segEnd) (local.get $q)) (i32.const 4))))
                  (if (i32.gt_u (local.get $steps) (i32.const 32))
                    (then
                      (v128.store offset=0 (local.get $tot) (f64x2.add (f64x2.add (v128.load offset=0 (local.get $tot))
                        (f64x2.promote_low_f32x4 (local.get $a0))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a0) (local.get $a0)))))
                      (v128.store offset=16 (local.get $tot) (f64x2.add (f64x2.add (v128.load offset=16 (local.get $tot))
                        (f64x2.promote_low_f32x4 (local.get $a1))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a1) (local.get $a1)))))
                      (v128.store offset=32 (local.get $tot) (f64x2.add (f64x2.add (v128.load offset=32 (local.get $tot))
                        (f64x2.promote_low_f32x4 (local.get $a2))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a2) (local.get $a2)))))
                      (v128.store offset=48 (local.get $tot) (f64x2.add (f64x2.add (v128.load offset=48 (local.get $tot))
                        (f64x2.promote_low_f32x4 (local.get $a3))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a3) (local.get $a3)))))
                      (v128.store offset=64 (local.get $tot) (f64x2.add (f64x2.add (v128.load offset=64 (local.get $tot))
                        (f64x2.promote_low_f32x4 (local.get $a4))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a4) (local.get $a4)))))
                      (v128.store offset=80 (local.get $tot) (f64x2.add (f64x2.add (v128.load offset=80 (local.get $tot))
                        (f64x2.promote_low_f32x4 (local.get $a5))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a5) (local.get $a5)))))
                      (v128.store offset=96 (local.get $tot) (f64x2.add (f64x2.add (v128.load offset=96 (local.get $tot))
                        (f64x2.promote_low_f32x4 (local.get $a6))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a6) (local.get $a6)))))
                      (v128.store offset=112 (local.get $tot) (f64x2.add (f64x2.add (v128.load offset=112 (local.get $tot))
                        (f64x2.promote_low_f32x4 (local.get $a7))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a7) (local.get $a7)))))
                      (v128.store offset=128 (local.get $tot) (f64x2.add (f64x2.add (v128.load offset=128 (local.get $tot))
                        (f64x2.promote_low_f32x4 (local.get $a8))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a8) (local.get $a8)))))
                      (v128.store offset=144 (local.get $tot) (f64x2.add (f64x2.add (v128.load offset=144 (local.get $tot))
                        (f64x2.promote_low_f32x4 (local.get $a9))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a9) (local.get $a9)))))
                      (local.set $a0 (v128.const i64x2 0 0)) (local.set $a1 (v128.const i64x2 0 0)) (local.set $a2 (v128.const i64x2 0 0)) (local.set $a3 (v128.const i64x2 0 0)) (local.set $a4 (v128.const i64x2 0 0)) (local.set $a5 (v128.const i64x2 0 0)) (local.set $a6 (v128.const i64x2 0 0)) (local.set $a7 (v128.const i64x2 0 0)) (local.set $a8 (v128.const i64x2 0 0)) (local.set $a9 (v128.const i64x2 0 0))
                      (local.set $steps (i32.shr_u (i32.sub (local.get $segEnd) (local.get $q)) (i32.const 4)))))
                  (block $v_done
                    (loop $v
                      (br_if $v_done (i32.ge_u (local.get $q) (local.get $segEnd)))
                      (local.set $v0 (v128.load align=4 (i32.add (local.get $d0) (local.get $q))))
                      (local.set $v1 (v128.load align=4 (i32.add (local.get $d1) (local.get $q))))
                      (local.set $xv (v128.load offset=0 align=4 (i32.add (local.get $x) (local.get $q))))
                      (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $v0) (local.get $xv))))
                      (local.set $a5 (f32x4.add (local.get $a5) (f32x4.mul (local.get $v1) (local.get $xv))))
                      (local.set $xv (v128.load offset=4 align=4 (i32.add (local.get $x) (local.get $q))))
                      (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $v0) (local.get $xv))))
                      (local.set $a6 (f32x4.add (local.get $a6) (f32x4.mul (local.get $v1) (local.get $xv))))
                      (local.set $xv (v128.load offset=8 align=4 (i32.add (local.get $x) (local.get $q))))
                      (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $v0) (local.get $xv))))
                      (local.set $a7 (f32x4.add (local.get $a7) (f32x4.mul (local.get $v1) (local.get $xv))))
                      (local.set $xv (v128.load offset=12 align=4 (i32.add (local.get $x) (local.get $q))))
                      (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $v0) (local.get $xv))))
                      (local.set $a8 (f32x4.add (local.get $a8) (f32x4.mul (local.get $v1) (local.get $xv))))
                      (local.set $xv (v128.load offset=16 align=4 (i32.add (local.get $x) (local.get $q))))
                      (local.set $a4 (f32x4.add (local.get $a4) (f32x4.mul (local.get $v0) (local.get $xv))))
                      (local.set $a9 (f32x4.add (local.get $a9) (f32x4.mul (local.get $v1) (local.get $xv))))
                      (local.set $q (i32.add (local.get $q) (i32.const 16)))
                      (br $v)))
                  (br_if $seg (i32.lt_u (local.get $q) (local.get $end4))))
                ;; the row's last Wo mod 4 outputs: one masked step
                (if (i32.lt_u (local.get $q) (i32.shl (local.get $Wo) (i32.const 2)))
                  (then
                    (if (i32.eq (local.get $steps) (i32.const 32))
                      (then
                        (v128.store offset=0 (local.get $tot) (f64x2.add (f64x2.add (v128.load offset=0 (local.get $tot))
                          (f64x2.promote_low_f32x4 (local.get $a0))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a0) (local.get $a0)))))
                        (v128.store offset=16 (local.get $tot) (f64x2.add (f64x2.add (v128.load offset=16 (local.get $tot))
                          (f64x2.promote_low_f32x4 (local.get $a1))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a1) (local.get $a1)))))
                        (v128.store offset=32 (local.get $tot) (f64x2.add (f64x2.add (v128.load offset=32 (local.get $tot))
                          (f64x2.promote_low_f32x4 (local.get $a2))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a2) (local.get $a2)))))
                        (v128.store offset=48 (local.get $tot) (f64x2.add (f64x2.add (v128.load offset=48 (local.get $tot))
                          (f64x2.promote_low_f32x4 (local.get $a3))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a3) (local.get $a3)))))
                        (v128.store offset=64 (local.get $tot) (f64x2.add (f64x2.add (v128.load offset=64 (local.get $tot))
                          (f64x2.promote_low_f32x4 (local.get $a4))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a4) (local.get $a4)))))
                        (v128.store offset=80 (local.get $tot) (f64x2.add (f64x2.add (v128.load offset=80 (local.get $tot))
                          (f64x2.promote_low_f32x4 (local.get $a5))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a5) (local.get $a5)))))
                        (v128.store offset=96 (local.get $tot) (f64x2.add (f64x2.add (v128.load offset=96 (local.get $tot))
                          (f64x2.promote_low_f32x4 (local.get $a6))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a6) (local.get $a6)))))
                        (v128.store offset=112 (local.get $tot) (f64x2.add (f64x2.add (v128.load offset=112 (local.get $tot))
                          (f64x2.promote_low_f32x4 (local.get $a7))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a7) (local.get $a7)))))
                        (v128.store offset=128 (local.get $tot) (f64x2.add (f64x2.add (v128.load offset=128 (local.get $tot))
                          (f64x2.promote_low_f32x4 (local.get $a8))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a8) (local.get $a8)))))
                        (v128.store offset=144 (local.get $tot) (f64x2.add (f64x2.add (v128.load offset=144 (local.get $tot))
                          (f64x2.promote_low_f32x4 (local.get $a9))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a9) (local.get $a9)))))
                        (local.set $a0 (v128.const i64x2 0 0)) (local.set $a1 (v128.const i64x2 0 0)) (local.set $a2 (v128.const i64x2 0 0)) (local.set $a3 (v128.const i64x2 0 0)) (local.set $a4 (v128.const i64x2 0 0)) (local.set $a5 (v128.const i64x2 0 0)) (local.set $a6 (v128.const i64x2 0 0)) (local.set $a7 (v128.const i64x2 0 0)) (local.set $a8 (v128.const i64x2 0 0)) (local.set $a9 (v128.const i64x2 0 0))
                        (local.set $steps (i32.const 0))))
                    (local.set $v0 (v128.load align=4 (i32.add (local.get $d0) (local.get $q))))
                    (local.set $v1 (v128.load align=4 (i32.add (local.get $d1) (local.get $q))))
                    (local.set $xv (v128.load offset=0 align=4 (i32.add (local.get $x) (local.get $q))))
                    (local.set $a0 (f32x4.add (local.get $a0) (v128.and (f32x4.mul (local.get $v0) (local.get $xv)) (local.get $mask))))
                    (local.set $a5 (f32x4.add (local.get $a5) (v128.and (f32x4.mul (local.get $v1) (local.get $xv)) (local.get $mask))))
                    (local.set $xv (v128.load offset=4 align=4 (i32.add (local.get $x) (local.get $q))))
                    (local.set $a1 (f32x4.add (local.get $a1) (v128.and (f32x4.mul (local.get $v0) (local.get $xv)) (local.get $mask))))
                    (local.set $a6 (f32x4.add (local.get $a6) (v128.and (f32x4.mul (local.get $v1) (local.get $xv)) (local.get $mask))))
                    (local.set $xv (v128.load offset=8 align=4 (i32.add (local.get $x) (local.get $q))))
                    (local.set $a2 (f32x4.add (local.get $a2) (v128.and (f32x4.mul (local.get $v0) (local.get $xv)) (local.get $mask))))
                    (local.set $a7 (f32x4.add (local.get $a7) (v128.and (f32x4.mul (local.get $v1) (local.get $xv)) (local.get $mask))))
                    (local.set $xv (v128.load offset=12 align=4 (i32.add (local.get $x) (local.get $q))))
                    (local.set $a3 (f32x4.add (local.get $a3) (v128.and (f32x4.mul (local.get $v0) (local.get $xv)) (local.get $mask))))
                    (local.set $a8 (f32x4.add (local.get $a8) (v128.and (f32x4.mul (local.get $v1) (local.get $xv)) (local.get $mask))))
                    (local.set $xv (v128.load offset=16 align=4 (i32.add (local.get $x) (local.get $q))))
                    (local.set $a4 (f32x4.add (local.get $a4) (v128.and (f32x4.mul (local.get $v0) (local.get $xv)) (local.get $mask))))
                    (local.set $a9 (f32x4.add (local.get $a9) (v128.and (f32x4.mul (local.get $v1) (local.get $xv)) (local.get $mask))))
                    (local.set $steps (i32.add (local.get $steps) (i32.const 1)))
                    ))
                (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
                (br_if $loh (i32.lt_u (local.get $oh) (local.get $Ho))))
              (local.set $n (i32.add (local.get $n) (i32.const 1)))
              (br $ln)))
            ;; the last chunk into the totals, then each kept tap's two lanes into dw
            (if (i32.const 1)
              (then
                (v128.store offset=0 (local.get $tot) (f64x2.add (f64x2.add (v128.load offset=0 (local.get $tot))
                  (f64x2.promote_low_f32x4 (local.get $a0))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a0) (local.get $a0)))))
                (v128.store offset=16 (local.get $tot) (f64x2.add (f64x2.add (v128.load offset=16 (local.get $tot))
                  (f64x2.promote_low_f32x4 (local.get $a1))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a1) (local.get $a1)))))
                (v128.store offset=32 (local.get $tot) (f64x2.add (f64x2.add (v128.load offset=32 (local.get $tot))
                  (f64x2.promote_low_f32x4 (local.get $a2))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a2) (local.get $a2)))))
                (v128.store offset=48 (local.get $tot) (f64x2.add (f64x2.add (v128.load offset=48 (local.get $tot))
                  (f64x2.promote_low_f32x4 (local.get $a3))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a3) (local.get $a3)))))
                (v128.store offset=64 (local.get $tot) (f64x2.add (f64x2.add (v128.load offset=64 (local.get $tot))
                  (f64x2.promote_low_f32x4 (local.get $a4))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a4) (local.get $a4)))))
                (v128.store offset=80 (local.get $tot) (f64x2.add (f64x2.add (v128.load offset=80 (local.get $tot))
                  (f64x2.promote_low_f32x4 (local.get $a5))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a5) (local.get $a5)))))
                (v128.store offset=96 (local.get $tot) (f64x2.add (f64x2.add (v128.load offset=96 (local.get $tot))
                  (f64x2.promote_low_f32x4 (local.get $a6))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a6) (local.get $a6)))))
                (v128.store offset=112 (local.get $tot) (f64x2.add (f64x2.add (v128.load offset=112 (local.get $tot))
                  (f64x2.promote_low_f32x4 (local.get $a7))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a7) (local.get $a7)))))
                (v128.store offset=128 (local.get $tot) (f64x2.add (f64x2.add (v128.load offset=128 (local.get $tot))
                  (f64x2.promote_low_f32x4 (local.get $a8))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a8) (local.get $a8)))))
                (v128.store offset=144 (local.get $tot) (f64x2.add (f64x2.add (v128.load offset=144 (local.get $tot))
                  (f64x2.promote_low_f32x4 (local.get $a9))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a9) (local.get $a9)))))
                (local.set $a0 (v128.const i64x2 0 0)) (local.set $a1 (v128.const i64x2 0 0)) (local.set $a2 (v128.const i64x2 0 0)) (local.set $a3 (v128.const i64x2 0 0)) (local.set $a4 (v128.const i64x2 0 0)) (local.set $a5 (v128.const i64x2 0 0)) (local.set $a6 (v128.const i64x2 0 0)) (local.set $a7 (v128.const i64x2 0 0)) (local.set $a8 (v128.const i64x2 0 0)) (local.set $a9 (v128.const i64x2 0 0))
                (local.set $steps (i32.const 0))))
            (local.set $t (i32.const 0))
            (loop $lt
              ;; at: dw[o, ki, kj + t] as a byte address; the totals of tap t at tot + 16t (o) and tot + 80 + 16t (o + 1)
              (local.set $at (i32.add (local.get $dw)
                (i32.shl (i32.add (i32.add (i32.mul (i32.add (i32.mul (local.get $o) (local.get $kH)) (local.get $ki)) (local.get $kW))
                                           (local.get $kj)) (local.get $t)) (i32.const 3))))
              (local.set $xv (v128.load (i32.add (local.get $tot) (i32.shl (local.get $t) (i32.const 4)))))
              (f64.store (local.get $at) (f64.add (f64x2.extract_lane 0 (local.get $xv)) (f64x2.extract_lane 1 (local.get $xv))))
              (if (local.get $dOff1)
                (then
                  (local.set $xv (v128.load offset=80 (i32.add (local.get $tot) (i32.shl (local.get $t) (i32.const 4)))))
                  (f64.store (i32.add (local.get $at) (i32.shl (local.get $KK) (i32.const 3)))
                    (f64.add (f64x2.extract_lane 0 (local.get $xv)) (f64x2.extract_lane 1 (local.get $xv))))))
              (local.set $t (i32.add (local.get $t) (i32.const 1)))
              (br_if $lt (i32.and (i32.lt_u (local.get $t) (i32.const 5))
                                  (i32.lt_u (i32.add (local.get $kj) (local.get $t)) (local.get $kW)))))
            (local.set $kj (i32.add (local.get $kj) (i32.const 5)))
            (br_if $lkj (i32.lt_u (local.get $kj) (local.get $kW))))
          (local.set $ki (i32.add (local.get $ki) (i32.const 1)))
          (br_if $lki (i32.lt_u (local.get $ki) (local.get $kH))))
        (local.set $o (i32.add (local.get $o) (i32.const 2)))
        (br $lo))))

  ;; The NCHW tensor of m images (O channels, planes of $hw floats) and the side-by-side output
  ;; matrix of group channels [gOff, gOff + Og): row o = [m*hw], image i's block at i*hw.
  ;; matToNchw: t[(i*O + gOff + o)*hw + p] = mat[o*m*hw + i*hw + p] (+ bias[o] when $hasBias, a
  ;; float32 add); nchwToMat the reverse copy (no bias). One call per chunk instead of one
  ;; typed-array copy per (image, channel) block from JavaScript.
  (func (export "matToNchw") (param $mat i32) (param $t i32) (param $Og i32) (param $m i32) (param $hw i32)
    (param $O i32) (param $gOff i32) (param $bias i32) (param $hasBias i32)
    (local $o i32) (local $i i32) (local $src i32) (local $dst i32) (local $q i32) (local $end i32) (local $end4 i32)
    (local $bv v128) (local $bs f32)
    (if (i32.or (i32.eqz (i32.mul (local.get $Og) (local.get $m))) (i32.eqz (local.get $hw))) (then (return)))
    (local.set $src (local.get $mat))
    (loop $lo
      (local.set $bs (select (f32.load (i32.add (local.get $bias) (i32.shl (local.get $o) (i32.const 2)))) (f32.const 0)
                             (local.get $hasBias)))
      (local.set $bv (f32x4.splat (local.get $bs)))
      (local.set $i (i32.const 0))
      (loop $li
        (local.set $dst (i32.add (local.get $t)
          (i32.shl (i32.mul (i32.add (i32.add (i32.mul (local.get $i) (local.get $O)) (local.get $gOff)) (local.get $o)) (local.get $hw))
                   (i32.const 2))))
        (if (local.get $hasBias)
          (then
            (local.set $q (i32.const 0))
            (local.set $end (i32.shl (local.get $hw) (i32.const 2)))
            (local.set $end4 (i32.sub (local.get $end) (i32.shl (i32.and (local.get $hw) (i32.const 3)) (i32.const 2))))
            (block $v_done
              (loop $v
                (br_if $v_done (i32.ge_u (local.get $q) (local.get $end4)))
                (v128.store align=4 (i32.add (local.get $dst) (local.get $q))
                  (f32x4.add (v128.load align=4 (i32.add (local.get $src) (local.get $q))) (local.get $bv)))
                (local.set $q (i32.add (local.get $q) (i32.const 16)))
                (br $v)))
            (block $t_done
              (loop $tl
                (br_if $t_done (i32.ge_u (local.get $q) (local.get $end)))
                (f32.store (i32.add (local.get $dst) (local.get $q))
                  (f32.add (f32.load (i32.add (local.get $src) (local.get $q))) (local.get $bs)))
                (local.set $q (i32.add (local.get $q) (i32.const 4)))
                (br $tl))))
          (else (memory.copy (local.get $dst) (local.get $src) (i32.shl (local.get $hw) (i32.const 2)))))
        (local.set $src (i32.add (local.get $src) (i32.shl (local.get $hw) (i32.const 2))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $li (i32.lt_u (local.get $i) (local.get $m))))
      (local.set $o (i32.add (local.get $o) (i32.const 1)))
      (br_if $lo (i32.lt_u (local.get $o) (local.get $Og)))))

  (func (export "nchwToMat") (param $t i32) (param $mat i32) (param $Og i32) (param $m i32) (param $hw i32)
    (param $O i32) (param $gOff i32)
    (local $o i32) (local $i i32) (local $dst i32)
    (if (i32.or (i32.eqz (i32.mul (local.get $Og) (local.get $m))) (i32.eqz (local.get $hw))) (then (return)))
    (local.set $dst (local.get $mat))
    (loop $lo
      (local.set $i (i32.const 0))
      (loop $li
        (memory.copy (local.get $dst)
          (i32.add (local.get $t)
            (i32.shl (i32.mul (i32.add (i32.add (i32.mul (local.get $i) (local.get $O)) (local.get $gOff)) (local.get $o)) (local.get $hw))
                     (i32.const 2)))
          (i32.shl (local.get $hw) (i32.const 2)))
        (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $hw) (i32.const 2))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $li (i32.lt_u (local.get $i) (local.get $m))))
      (local.set $o (i32.add (local.get $o) (i32.const 1)))
      (br_if $lo (i32.lt_u (local.get $o) (local.get $Og)))))

  ;; The adjoint of im2col: dx[c, ih, iw] += col[r, i*Ho*Wo + oh*Wo + ow] for the in-input taps
  ;; (padding positions dropped), images at $dx + i*$xs. Exact spans only (a store past hi would
  ;; add into a neighbour): f32x4 over whole quads, then a scalar tail.
  (func (export "col2im")
    (param $col i32) (param $m i32) (param $Cg i32) (param $H i32) (param $W i32)
    (param $kH i32) (param $kW i32) (param $Ho i32) (param $Wo i32) (param $sH i32) (param $sW i32)
    (param $pH i32) (param $pW i32) (param $dH i32) (param $dW i32) (param $dx i32) (param $xs i32)
    (local $c i32) (local $ki i32) (local $kj i32) (local $i i32) (local $oh i32) (local $ow i32)
    (local $shift i32) (local $lo i32) (local $hi i32) (local $hi4 i32) (local $lohi i32) (local $ih i32)
    (local $plane i32) (local $src i32) (local $dst i32) (local $p i32) (local $q i32)
    (local $rowBytes i32) (local $HW4 i32) (local $W4 i32) (local $sW4 i32)
    (local.set $rowBytes (i32.shl (local.get $Wo) (i32.const 2)))
    (local.set $HW4 (i32.shl (i32.mul (local.get $H) (local.get $W)) (i32.const 2)))
    (local.set $W4 (i32.shl (local.get $W) (i32.const 2)))
    (local.set $sW4 (i32.shl (local.get $sW) (i32.const 2)))
    (local.set $src (local.get $col))
    (if (i32.eqz (i32.mul (local.get $Ho) (local.get $Wo))) (then (return)))
    (local.set $c (i32.const 0))
    (loop $lc
      (local.set $ki (i32.const 0))
      (loop $lki
        (local.set $kj (i32.const 0))
        (loop $lkj
          (local.set $shift (i32.sub (i32.mul (local.get $kj) (local.get $dW)) (local.get $pW)))
          (local.set $lohi (call $valid (local.get $shift) (local.get $sW) (local.get $W) (local.get $Wo)))
          (local.set $lo (i32.and (local.get $lohi) (i32.const 0xffff)))
          (local.set $hi (i32.shr_u (local.get $lohi) (i32.const 16)))
          ;; hi4: the end of the whole quads from lo
          (local.set $hi4 (i32.sub (local.get $hi) (i32.and (i32.sub (local.get $hi) (local.get $lo)) (i32.const 3))))
          (local.set $i (i32.const 0))
          (loop $li
            (local.set $plane (i32.add (i32.add (local.get $dx) (i32.mul (local.get $i) (local.get $xs)))
                                       (i32.mul (local.get $c) (local.get $HW4))))
            (local.set $oh (i32.const 0))
            (loop $loh
              (local.set $ih (i32.add (i32.sub (i32.mul (local.get $oh) (local.get $sH)) (local.get $pH))
                                      (i32.mul (local.get $ki) (local.get $dH))))
              (if (i32.lt_u (local.get $ih) (local.get $H))
                (then
                  (local.set $dst (i32.add (i32.add (local.get $plane) (i32.mul (local.get $ih) (local.get $W4)))
                                           (i32.shl (local.get $shift) (i32.const 2))))
                  (local.set $ow (local.get $lo))
                  (if (i32.eq (local.get $sW) (i32.const 1))
                    (then
                      (block $v_done
                        (loop $v
                          (br_if $v_done (i32.ge_u (local.get $ow) (local.get $hi4)))
                          (local.set $p (i32.add (local.get $dst) (i32.shl (local.get $ow) (i32.const 2))))
                          (v128.store align=4 (local.get $p)
                            (f32x4.add (v128.load align=4 (local.get $p))
                                       (v128.load align=4 (i32.add (local.get $src) (i32.shl (local.get $ow) (i32.const 2))))))
                          (local.set $ow (i32.add (local.get $ow) (i32.const 4)))
                          (br $v)))
                      (block $t_done
                        (loop $t
                          (br_if $t_done (i32.ge_u (local.get $ow) (local.get $hi)))
                          (local.set $p (i32.add (local.get $dst) (i32.shl (local.get $ow) (i32.const 2))))
                          (f32.store (local.get $p)
                            (f32.add (f32.load (local.get $p))
                                     (f32.load (i32.add (local.get $src) (i32.shl (local.get $ow) (i32.const 2))))))
                          (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
                          (br $t))))
                    (else
                      (block $s_done
                        (loop $s
                          (br_if $s_done (i32.ge_u (local.get $ow) (local.get $hi)))
                          (local.set $q (i32.add (local.get $dst) (i32.mul (local.get $ow) (local.get $sW4))))
                          (f32.store (local.get $q)
                            (f32.add (f32.load (local.get $q))
                                     (f32.load (i32.add (local.get $src) (i32.shl (local.get $ow) (i32.const 2))))))
                          (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
                          (br $s)))))))
              (local.set $src (i32.add (local.get $src) (local.get $rowBytes)))
              (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
              (br_if $loh (i32.lt_u (local.get $oh) (local.get $Ho))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $li (i32.lt_u (local.get $i) (local.get $m))))
          (local.set $kj (i32.add (local.get $kj) (i32.const 1)))
          (br_if $lkj (i32.lt_u (local.get $kj) (local.get $kW))))
        (local.set $ki (i32.add (local.get $ki) (i32.const 1)))
        (br_if $lki (i32.lt_u (local.get $ki) (local.get $kH))))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br_if $lc (i32.lt_u (local.get $c) (local.get $Cg)))))

  ;; col2im at column stride 1, undilated columns: each dx row gathers its kW taps in registers. For
  ;; image i, channel c, tap row ki and output row oh (input row ih = oh*sH - pH + ki*dH inside the input), dx row
  ;; ih, quad q (positions p = 4q..4q+3) adds, for kj = 0..kW-1 in order, col[(c*kH + ki)*kW + kj,
  ;; i*Ho*Wo + oh*Wo + p - kj + pW] where that column lies in [0, Wo) and p < W: the per-element
  ;; order of col2im above (ki, then kj), so the same bits. $masks (from the JS side): for quad q
  ;; and tap kj the lanes that take a column, at masks + (q*kW + kj)*16, then each quad's in-row
  ;; lanes at masks + (nq*kW + q)*16. A masked-off lane subtracts +0 (a += c as a -= -c: x - (+0) is
  ;; x for every x, -0 included); lanes past the row are stored back as loaded (bitselect). Reads of
  ;; col reach kW - 1 floats before a row and kW + 2 after it, dx up to 3 floats past its end (the
  ;; JS side leaves slack around both).
  (func (export "col2imUnit")
    (param $col i32) (param $m i32) (param $Cg i32) (param $H i32) (param $W i32)
    (param $kH i32) (param $kW i32) (param $Ho i32) (param $Wo i32) (param $sH i32) (param $pH i32) (param $pW i32)
    (param $dH i32) (param $dx i32) (param $xs i32) (param $masks i32)
    (local $c i32) (local $ki i32) (local $kj i32) (local $i i32) (local $oh i32) (local $ih i32) (local $q i32)
    (local $nq i32) (local $nq4 i32) (local $plane i32) (local $drow i32) (local $dq i32) (local $rq i32) (local $mq i32) (local $mp i32)
    (local $base i32) (local $s0 i32) (local $s i32) (local $kStep i32) (local $ld4 i32) (local $img4 i32)
    (local $HW4 i32) (local $W4 i32) (local $rowBytes i32) (local $kW16 i32) (local $sign v128)
    (local $a0 v128) (local $d0 v128) (local $a1 v128) (local $d1 v128) (local $a2 v128) (local $d2 v128) (local $a3 v128) (local $d3 v128)
    (local.set $sign (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))
    (local.set $rowBytes (i32.shl (local.get $Wo) (i32.const 2)))
    (local.set $img4 (i32.mul (local.get $Ho) (local.get $rowBytes)))
    (local.set $ld4 (i32.mul (local.get $m) (local.get $img4)))
    (local.set $kStep (i32.sub (local.get $ld4) (i32.const 4)))
    (local.set $HW4 (i32.shl (i32.mul (local.get $H) (local.get $W)) (i32.const 2)))
    (local.set $W4 (i32.shl (local.get $W) (i32.const 2)))
    (local.set $kW16 (i32.shl (local.get $kW) (i32.const 4)))
    (local.set $nq (i32.shr_u (i32.add (local.get $W) (i32.const 3)) (i32.const 2)))
    (local.set $nq4 (i32.and (local.get $nq) (i32.const -4)))
    (if (i32.eqz (i32.mul (i32.mul (local.get $Ho) (local.get $Wo)) (i32.mul (local.get $m) (local.get $Cg)))) (then (return)))
    (loop $lc
      (local.set $ki (i32.const 0))
      (loop $lki
        (local.set $i (i32.const 0))
        (loop $li
          (local.set $plane (i32.add (i32.add (local.get $dx) (i32.mul (local.get $i) (local.get $xs)))
                                     (i32.mul (local.get $c) (local.get $HW4))))
          ;; base: col row (c, ki, kj = 0), image i's block
          (local.set $base (i32.add (i32.add (local.get $col)
                                             (i32.mul (i32.mul (i32.add (i32.mul (local.get $c) (local.get $kH)) (local.get $ki)) (local.get $kW))
                                                      (local.get $ld4)))
                                    (i32.mul (local.get $i) (local.get $img4))))
          (local.set $oh (i32.const 0))
          (loop $loh
            (local.set $ih (i32.add (i32.sub (i32.mul (local.get $oh) (local.get $sH)) (local.get $pH)) (i32.mul (local.get $ki) (local.get $dH))))
            (if (i32.lt_u (local.get $ih) (local.get $H))
              (then
                (local.set $drow (i32.add (local.get $plane) (i32.mul (local.get $ih) (local.get $W4))))
                (local.set $q (i32.const 0))
                (block $q4_done
                  (loop $lq4
                    (br_if $q4_done (i32.ge_u (local.get $q) (local.get $nq4)))
                    ;; dq: dx quad q; s0: the column for p = 4q at kj = 0; mq, rq: its masks
                    (local.set $dq (i32.add (local.get $drow) (i32.shl (local.get $q) (i32.const 4))))
                    (local.set $s0 (i32.add (i32.add (local.get $base) (i32.mul (local.get $oh) (local.get $rowBytes)))
                                            (i32.shl (i32.add (i32.shl (local.get $q) (i32.const 2)) (local.get $pW)) (i32.const 2))))
                    (local.set $mq (i32.add (local.get $masks) (i32.mul (local.get $q) (local.get $kW16))))
                    (local.set $rq (i32.add (local.get $masks) (i32.shl (i32.add (i32.mul (local.get $nq) (local.get $kW)) (local.get $q)) (i32.const 4))))
                    (local.set $d0 (v128.load offset=0 align=4 (local.get $dq)))
                    (local.set $a0 (local.get $d0))
                    (local.set $d1 (v128.load offset=16 align=4 (local.get $dq)))
                    (local.set $a1 (local.get $d1))
                    (local.set $d2 (v128.load offset=32 align=4 (local.get $dq)))
                    (local.set $a2 (local.get $d2))
                    (local.set $d3 (v128.load offset=48 align=4 (local.get $dq)))
                    (local.set $a3 (local.get $d3))
                    (local.set $s (local.get $s0))
                    (local.set $mp (local.get $mq))
                    (local.set $kj (i32.const 0))
                    (loop $lkj
                      (local.set $a0 (f32x4.sub (local.get $a0) (v128.and (v128.xor (v128.load offset=0 align=4 (local.get $s)) (local.get $sign)) (v128.load (local.get $mp)))))
                      (local.set $a1 (f32x4.sub (local.get $a1) (v128.and (v128.xor (v128.load offset=16 align=4 (local.get $s)) (local.get $sign)) (v128.load (i32.add (local.get $mp) (i32.mul (i32.const 1) (local.get $kW16)))))))
                      (local.set $a2 (f32x4.sub (local.get $a2) (v128.and (v128.xor (v128.load offset=32 align=4 (local.get $s)) (local.get $sign)) (v128.load (i32.add (local.get $mp) (i32.mul (i32.const 2) (local.get $kW16)))))))
                      (local.set $a3 (f32x4.sub (local.get $a3) (v128.and (v128.xor (v128.load offset=48 align=4 (local.get $s)) (local.get $sign)) (v128.load (i32.add (local.get $mp) (i32.mul (i32.const 3) (local.get $kW16)))))))
                      (local.set $s (i32.add (local.get $s) (local.get $kStep)))
                      (local.set $mp (i32.add (local.get $mp) (i32.const 16)))
                      (local.set $kj (i32.add (local.get $kj) (i32.const 1)))
                      (br_if $lkj (i32.lt_u (local.get $kj) (local.get $kW))))
                    (v128.store offset=0 align=4 (local.get $dq) (v128.bitselect (local.get $a0) (local.get $d0) (v128.load offset=0 (local.get $rq))))
                    (v128.store offset=16 align=4 (local.get $dq) (v128.bitselect (local.get $a1) (local.get $d1) (v128.load offset=16 (local.get $rq))))
                    (v128.store offset=32 align=4 (local.get $dq) (v128.bitselect (local.get $a2) (local.get $d2) (v128.load offset=32 (local.get $rq))))
                    (v128.store offset=48 align=4 (local.get $dq) (v128.bitselect (local.get $a3) (local.get $d3) (v128.load offset=48 (local.get $rq))))
                    (local.set $q (i32.add (local.get $q) (i32.const 4)))
                    (br $lq4)))
                (block $q1_done
                  (loop $lq1
                    (br_if $q1_done (i32.ge_u (local.get $q) (local.get $nq)))
                    (local.set $dq (i32.add (local.get $drow) (i32.shl (local.get $q) (i32.const 4))))
                    (local.set $s0 (i32.add (i32.add (local.get $base) (i32.mul (local.get $oh) (local.get $rowBytes)))
                                            (i32.shl (i32.add (i32.shl (local.get $q) (i32.const 2)) (local.get $pW)) (i32.const 2))))
                    (local.set $mq (i32.add (local.get $masks) (i32.mul (local.get $q) (local.get $kW16))))
                    (local.set $rq (i32.add (local.get $masks) (i32.shl (i32.add (i32.mul (local.get $nq) (local.get $kW)) (local.get $q)) (i32.const 4))))
                    (local.set $d0 (v128.load offset=0 align=4 (local.get $dq)))
                    (local.set $a0 (local.get $d0))
                    (local.set $s (local.get $s0))
                    (local.set $mp (local.get $mq))
                    (local.set $kj (i32.const 0))
                    (loop $lkj
                      (local.set $a0 (f32x4.sub (local.get $a0) (v128.and (v128.xor (v128.load offset=0 align=4 (local.get $s)) (local.get $sign)) (v128.load (local.get $mp)))))
                      (local.set $s (i32.add (local.get $s) (local.get $kStep)))
                      (local.set $mp (i32.add (local.get $mp) (i32.const 16)))
                      (local.set $kj (i32.add (local.get $kj) (i32.const 1)))
                      (br_if $lkj (i32.lt_u (local.get $kj) (local.get $kW))))
                    (v128.store offset=0 align=4 (local.get $dq) (v128.bitselect (local.get $a0) (local.get $d0) (v128.load offset=0 (local.get $rq))))
                    (local.set $q (i32.add (local.get $q) (i32.const 1)))
                    (br $lq1)))))
            (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
            (br_if $loh (i32.lt_u (local.get $oh) (local.get $Ho))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $li (i32.lt_u (local.get $i) (local.get $m))))
        (local.set $ki (i32.add (local.get $ki) (i32.const 1)))
        (br_if $lki (i32.lt_u (local.get $ki) (local.get $kH))))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br_if $lc (i32.lt_u (local.get $c) (local.get $Cg))))))
