;; Flint backend-cpu: max pooling over full 2x2, stride-2, unpadded windows (NCHW float32) and its
;; backward in WebAssembly SIMD, four windows per step.
;;
;; Hand-written; assembled by scripts/wasm.ts (wabt) into src/wasm/pool-bytes.ts, which is
;; committed (a test reassembles this file and checks the bytes match).
;;
;; Each window scans its taps in PyTorch's order (top-left, top-right, bottom-left, bottom-right)
;; and takes a tap when `v > best || v != v`: ties keep the first tap, a NaN wins and the last NaN
;; wins, exactly as the JavaScript loop. Branch-free (compare and bitselect), where the scalar
;; loop mispredicted on real activations. The index is the flat h*W + w within the input plane.
(module
  (import "env" "memory" (memory 1))

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
      (br_if $lp (i32.lt_u (local.get $p) (local.get $planes)))))

  ;; The backward of 2x2 stride-2 max pooling, written whole instead of zero-fill plus scatter:
  ;; dx [planes, H, W] at $dx from dy and the saved flat indices [planes, Ho, Wo] (H >= 2*Ho,
  ;; W >= 2*Wo). When every index lies in its own window's 2x2 block (rows 2oh..2oh+1, columns
  ;; 2ow..2ow+1) the blocks are disjoint, so each dx position receives at most one dy: the block
  ;; gets 0 + dy at the index (a float32 add: -0 becomes +0, as the scatter-add's) and +0 at its
  ;; other three positions; rows and columns past the blocks get +0. Four windows per f32x4 step,
  ;; the rest one at a time. Returns 0, with dx partly written, as soon as an index lies outside
  ;; its block (the caller then runs the general scatter-add), else 1.
  (func (export "maxPool2x2Backward")
    (param $dy i32) (param $idx i32) (param $planes i32) (param $H i32) (param $W i32) (param $Ho i32) (param $Wo i32)
    (param $dx i32) (result i32)
    (local $p i32) (local $oh i32) (local $ow i32) (local $wo4 i32) (local $top i32) (local $bot i32) (local $rel i32)
    (local $o i32) (local $r i32) (local $g f32) (local $W4 i32) (local $tailBytes i32)
    (local $gv v128) (local $rv v128) (local $m0 v128) (local $m1 v128) (local $m2 v128) (local $m3 v128)
    (local $a v128) (local $b v128) (local $c v128) (local $d v128) (local $vW v128) (local $vW1 v128)
    (local.set $wo4 (i32.sub (local.get $Wo) (i32.and (local.get $Wo) (i32.const 3))))
    (local.set $W4 (i32.shl (local.get $W) (i32.const 2)))
    (local.set $tailBytes (i32.shl (i32.sub (local.get $W) (i32.shl (local.get $Wo) (i32.const 1))) (i32.const 2)))
    (local.set $vW (i32x4.splat (local.get $W)))
    (local.set $vW1 (i32x4.splat (i32.add (local.get $W) (i32.const 1))))
    (block $p_done
      (loop $lp
        (br_if $p_done (i32.ge_u (local.get $p) (local.get $planes)))
        (local.set $oh (i32.const 0))
        (block $oh_done
          (loop $loh
            (br_if $oh_done (i32.ge_u (local.get $oh) (local.get $Ho)))
            ;; top, bot: dx rows 2oh and 2oh + 1 of plane p; rel: the plane index of the block row's start
            (local.set $rel (i32.mul (i32.shl (local.get $oh) (i32.const 1)) (local.get $W)))
            (local.set $top (i32.add (local.get $dx)
              (i32.shl (i32.add (i32.mul (i32.mul (local.get $p) (local.get $H)) (local.get $W)) (local.get $rel)) (i32.const 2))))
            (local.set $bot (i32.add (local.get $top) (local.get $W4)))
            (local.set $ow (i32.const 0))
            (block $v_done
              (loop $v
                (br_if $v_done (i32.ge_u (local.get $ow) (local.get $wo4)))
                (local.set $gv (f32x4.add (v128.load align=4 (i32.add (local.get $dy) (i32.shl (local.get $o) (i32.const 2))))
                                          (v128.const f32x4 0 0 0 0)))
                ;; r: each index relative to its block's top-left (rel + 2*ow + 2j for lane j)
                (local.set $rv (i32x4.sub (v128.load align=4 (i32.add (local.get $idx) (i32.shl (local.get $o) (i32.const 2))))
                  (i32x4.add (i32x4.splat (i32.add (local.get $rel) (i32.shl (local.get $ow) (i32.const 1))))
                             (v128.const i32x4 0 2 4 6))))
                (local.set $m0 (i32x4.eq (local.get $rv) (v128.const i32x4 0 0 0 0)))
                (local.set $m1 (i32x4.eq (local.get $rv) (v128.const i32x4 1 1 1 1)))
                (local.set $m2 (i32x4.eq (local.get $rv) (local.get $vW)))
                (local.set $m3 (i32x4.eq (local.get $rv) (local.get $vW1)))
                (if (i32.eqz (i32x4.all_true (v128.or (v128.or (local.get $m0) (local.get $m1)) (v128.or (local.get $m2) (local.get $m3)))))
                  (then (return (i32.const 0))))
                (local.set $a (v128.and (local.get $gv) (local.get $m0)))
                (local.set $b (v128.and (local.get $gv) (local.get $m1)))
                (local.set $c (v128.and (local.get $gv) (local.get $m2)))
                (local.set $d (v128.and (local.get $gv) (local.get $m3)))
                ;; window j's top pair (a_j, b_j) at columns 2(ow + j), 2(ow + j) + 1; bottom (c_j, d_j)
                (v128.store align=4 (i32.add (local.get $top) (i32.shl (local.get $ow) (i32.const 3)))
                  (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a) (local.get $b)))
                (v128.store offset=16 align=4 (i32.add (local.get $top) (i32.shl (local.get $ow) (i32.const 3)))
                  (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a) (local.get $b)))
                (v128.store align=4 (i32.add (local.get $bot) (i32.shl (local.get $ow) (i32.const 3)))
                  (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $c) (local.get $d)))
                (v128.store offset=16 align=4 (i32.add (local.get $bot) (i32.shl (local.get $ow) (i32.const 3)))
                  (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $c) (local.get $d)))
                (local.set $ow (i32.add (local.get $ow) (i32.const 4)))
                (local.set $o (i32.add (local.get $o) (i32.const 4)))
                (br $v)))
            (block $s_done
              (loop $s
                (br_if $s_done (i32.ge_u (local.get $ow) (local.get $Wo)))
                (local.set $g (f32.add (f32.load (i32.add (local.get $dy) (i32.shl (local.get $o) (i32.const 2)))) (f32.const 0)))
                (local.set $r (i32.sub (i32.load (i32.add (local.get $idx) (i32.shl (local.get $o) (i32.const 2))))
                                       (i32.add (local.get $rel) (i32.shl (local.get $ow) (i32.const 1)))))
                (if (i32.eqz (i32.or (i32.le_u (local.get $r) (i32.const 1))
                                     (i32.le_u (i32.sub (local.get $r) (local.get $W)) (i32.const 1))))
                  (then (return (i32.const 0))))
                (f32.store (i32.add (local.get $top) (i32.shl (local.get $ow) (i32.const 3)))
                  (select (local.get $g) (f32.const 0) (i32.eqz (local.get $r))))
                (f32.store offset=4 (i32.add (local.get $top) (i32.shl (local.get $ow) (i32.const 3)))
                  (select (local.get $g) (f32.const 0) (i32.eq (local.get $r) (i32.const 1))))
                (f32.store (i32.add (local.get $bot) (i32.shl (local.get $ow) (i32.const 3)))
                  (select (local.get $g) (f32.const 0) (i32.eq (local.get $r) (local.get $W))))
                (f32.store offset=4 (i32.add (local.get $bot) (i32.shl (local.get $ow) (i32.const 3)))
                  (select (local.get $g) (f32.const 0) (i32.eq (local.get $r) (i32.add (local.get $W) (i32.const 1)))))
                (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
                (local.set $o (i32.add (local.get $o) (i32.const 1)))
                (br $s)))
            ;; columns 2*Wo..W-1 of both rows (odd W): no window
            (memory.fill (i32.add (local.get $top) (i32.shl (local.get $Wo) (i32.const 3))) (i32.const 0) (local.get $tailBytes))
            (memory.fill (i32.add (local.get $bot) (i32.shl (local.get $Wo) (i32.const 3))) (i32.const 0) (local.get $tailBytes))
            (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
            (br $loh)))
        ;; rows 2*Ho..H-1 (odd H): no window
        (memory.fill
          (i32.add (local.get $dx) (i32.shl (i32.mul (i32.add (i32.mul (local.get $p) (local.get $H)) (i32.shl (local.get $Ho) (i32.const 1))) (local.get $W)) (i32.const 2)))
          (i32.const 0)
          (i32.shl (i32.mul (i32.sub (local.get $H) (i32.shl (local.get $Ho) (i32.const 1))) (local.get $W)) (i32.const 2)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $lp)))
    (i32.const 1)))
