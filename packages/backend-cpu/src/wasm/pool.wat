;; Flint backend-cpu: max pooling over full 2x2, stride-2, unpadded windows (NCHW float32) in
;; WebAssembly SIMD, four windows per step.
;;
;; Hand-written; assembled by scripts/wasm.ts (wabt) into src/wasm/pool-bytes.ts, which is
;; committed (a test reassembles this file and checks the bytes match).
;;
;; Each window scans its taps in PyTorch's order (top-left, top-right, bottom-left, bottom-right)
;; and takes a tap when `v > best || v != v`: ties keep the first tap, a NaN wins and the last NaN
;; wins, exactly as the JavaScript loop. Branch-free (compare and bitselect), where the scalar
;; loop mispredicted on real activations. The index is the flat h*W + w within the input plane.
(module
  (memory (export "memory") 1)

  ;; values[o], indices[o] for o over planes x Ho x Wo, plane p's input at $x + p*H*W*4.
  (func (export "maxPool2x2")
    (param $x i32) (param $planes i32) (param $H i32) (param $W i32) (param $Ho i32) (param $Wo i32)
    (param $vals i32) (param $idx i32)
    (local $p i32) (local $oh i32) (local $ow i32) (local $wo4 i32)
    (local $r0 i32) (local $r1 i32) (local $rowIdx i32)
    (local $a0 v128) (local $a1 v128) (local $b0 v128) (local $b1 v128)
    (local $best v128) (local $bi v128) (local $v v128) (local $m v128) (local $base v128)
    (local $offW v128) (local $offW1 v128)
    (local $sb f32) (local $sv f32) (local $si i32) (local $c i32) (local $cond i32)
    (local.set $wo4 (i32.sub (local.get $Wo) (i32.and (local.get $Wo) (i32.const 3))))
    (local.set $offW (i32x4.splat (local.get $W)))
    (local.set $offW1 (i32x4.splat (i32.add (local.get $W) (i32.const 1))))
    (if (i32.eqz (i32.mul (i32.mul (local.get $planes) (local.get $Ho)) (local.get $Wo))) (then (return)))
    (local.set $p (i32.const 0))
    (loop $lp
      (local.set $oh (i32.const 0))
      (loop $loh
        ;; input rows 2*oh and 2*oh + 1 of plane p (byte addresses); rowIdx = 2*oh*W
        (local.set $rowIdx (i32.mul (i32.shl (local.get $oh) (i32.const 1)) (local.get $W)))
        (local.set $r0 (i32.add (i32.add (local.get $x) (i32.mul (i32.mul (local.get $p) (local.get $H))
                                                                   (i32.shl (local.get $W) (i32.const 2))))
                                (i32.shl (local.get $rowIdx) (i32.const 2))))
        (local.set $r1 (i32.add (local.get $r0) (i32.shl (local.get $W) (i32.const 2))))
        (local.set $ow (i32.const 0))
        (block $v_done
          (loop $v4
            (br_if $v_done (i32.ge_u (local.get $ow) (local.get $wo4)))
            ;; 8 input columns 2*ow .. 2*ow+7 of both rows: 4 windows
            (local.set $a0 (v128.load align=4 (i32.add (local.get $r0) (i32.shl (local.get $ow) (i32.const 3)))))
            (local.set $a1 (v128.load offset=16 align=4 (i32.add (local.get $r0) (i32.shl (local.get $ow) (i32.const 3)))))
            (local.set $b0 (v128.load align=4 (i32.add (local.get $r1) (i32.shl (local.get $ow) (i32.const 3)))))
            (local.set $b1 (v128.load offset=16 align=4 (i32.add (local.get $r1) (i32.shl (local.get $ow) (i32.const 3)))))
            ;; base: the top-left tap's index of each window, rowIdx + 2*(ow + j)
            (local.set $base (i32x4.add (i32x4.splat (i32.add (local.get $rowIdx) (i32.shl (local.get $ow) (i32.const 1))))
                                        (v128.const i32x4 0 2 4 6)))
            ;; tap 0: top-left (even lanes of row 0)
            (local.set $best (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $a0) (local.get $a1)))
            (local.set $bi (local.get $base))
            ;; tap 1: top-right (odd lanes of row 0)
            (local.set $v (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $a0) (local.get $a1)))
            (local.set $m (v128.or (f32x4.gt (local.get $v) (local.get $best)) (f32x4.ne (local.get $v) (local.get $v))))
            (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $m)))
            (local.set $bi (v128.bitselect (i32x4.add (local.get $base) (v128.const i32x4 1 1 1 1)) (local.get $bi) (local.get $m)))
            ;; tap 2: bottom-left
            (local.set $v (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $b0) (local.get $b1)))
            (local.set $m (v128.or (f32x4.gt (local.get $v) (local.get $best)) (f32x4.ne (local.get $v) (local.get $v))))
            (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $m)))
            (local.set $bi (v128.bitselect (i32x4.add (local.get $base) (local.get $offW)) (local.get $bi) (local.get $m)))
            ;; tap 3: bottom-right
            (local.set $v (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $b0) (local.get $b1)))
            (local.set $m (v128.or (f32x4.gt (local.get $v) (local.get $best)) (f32x4.ne (local.get $v) (local.get $v))))
            (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $m)))
            (local.set $bi (v128.bitselect (i32x4.add (local.get $base) (local.get $offW1)) (local.get $bi) (local.get $m)))
            (v128.store align=4 (i32.add (local.get $vals) (i32.shl (local.get $ow) (i32.const 2))) (local.get $best))
            (v128.store align=4 (i32.add (local.get $idx) (i32.shl (local.get $ow) (i32.const 2))) (local.get $bi))
            (local.set $ow (i32.add (local.get $ow) (i32.const 4)))
            (br $v4)))
        ;; the last Wo mod 4 windows, one at a time, the same scan with scalar selects
        (block $s_done
          (loop $s
            (br_if $s_done (i32.ge_u (local.get $ow) (local.get $Wo)))
            (local.set $c (i32.shl (local.get $ow) (i32.const 1)))
            (local.set $sb (f32.load (i32.add (local.get $r0) (i32.shl (local.get $c) (i32.const 2)))))
            (local.set $si (i32.add (local.get $rowIdx) (local.get $c)))
            (local.set $sv (f32.load offset=4 (i32.add (local.get $r0) (i32.shl (local.get $c) (i32.const 2)))))
            (local.set $cond (i32.or (f32.gt (local.get $sv) (local.get $sb)) (f32.ne (local.get $sv) (local.get $sv))))
            (local.set $sb (select (local.get $sv) (local.get $sb) (local.get $cond)))
            (local.set $si (select (i32.add (i32.add (local.get $rowIdx) (local.get $c)) (i32.const 1)) (local.get $si) (local.get $cond)))
            (local.set $sv (f32.load (i32.add (local.get $r1) (i32.shl (local.get $c) (i32.const 2)))))
            (local.set $cond (i32.or (f32.gt (local.get $sv) (local.get $sb)) (f32.ne (local.get $sv) (local.get $sv))))
            (local.set $sb (select (local.get $sv) (local.get $sb) (local.get $cond)))
            (local.set $si (select (i32.add (i32.add (local.get $rowIdx) (local.get $c)) (local.get $W)) (local.get $si) (local.get $cond)))
            (local.set $sv (f32.load offset=4 (i32.add (local.get $r1) (i32.shl (local.get $c) (i32.const 2)))))
            (local.set $cond (i32.or (f32.gt (local.get $sv) (local.get $sb)) (f32.ne (local.get $sv) (local.get $sv))))
            (local.set $sb (select (local.get $sv) (local.get $sb) (local.get $cond)))
            (local.set $si (select (i32.add (i32.add (i32.add (local.get $rowIdx) (local.get $c)) (local.get $W)) (i32.const 1))
                                   (local.get $si) (local.get $cond)))
            (f32.store (i32.add (local.get $vals) (i32.shl (local.get $ow) (i32.const 2))) (local.get $sb))
            (i32.store (i32.add (local.get $idx) (i32.shl (local.get $ow) (i32.const 2))) (local.get $si))
            (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
            (br $s)))
        (local.set $vals (i32.add (local.get $vals) (i32.shl (local.get $Wo) (i32.const 2))))
        (local.set $idx (i32.add (local.get $idx) (i32.shl (local.get $Wo) (i32.const 2))))
        (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
        (br_if $loh (i32.lt_u (local.get $oh) (local.get $Ho))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br_if $lp (i32.lt_u (local.get $p) (local.get $planes))))))
