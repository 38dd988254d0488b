;; Float32 elementwise, reduction and optimizer-step loops on WebAssembly SIMD (f32x4), driven by
;; src/impl/elementwise-wasm.ts. The memory is imported: the storage heap's (src/impl/heap.ts),
;; whose arrays are passed by address, or a private one the operands are copied into.
;;
;; Every pointer is a byte address, 16-byte aligned for whole operands (a broadcast run may start
;; anywhere: loads and stores are unaligned-safe), and every region is padded to a whole number
;; of vectors: each loop runs ceil(n / 4) vectors (16 elements for byte outputs) and the caller
;; uses only the first n results (it copies them out, or the output is a whole heap block whose
;; padding takes the rest). The padding lanes compute on garbage, which is harmless (no float
;; operation traps).
;;
;; Exactness: f32x4.add/sub/mul/div/sqrt round each lane once to float32, as a float32 store of
;; the same JavaScript double operation does (the double result of two float32 operands rounds to
;; the same float32), so every loop here returns the bits of its JavaScript reference.
(module
  (import "env" "memory" (memory 1))

  ;; o[i] = a[i] + b[i]
  (func (export "add_vv") (param $a i32) (param $b i32) (param $o i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $o) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
      (loop $next
        (v128.store (local.get $o) (f32x4.add (v128.load (local.get $a)) (v128.load (local.get $b))))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 16)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br_if $next (i32.lt_u (local.get $o) (local.get $end))))))

  ;; o[i] = a[i] + s
  (func (export "add_vs") (param $a i32) (param $s f32) (param $o i32) (param $n i32)
    (local $end i32)
    (local $sv v128)
    (local.set $end (i32.add (local.get $o) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $sv (f32x4.splat (local.get $s)))
    (block $done
      (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
      (loop $next
        (v128.store (local.get $o) (f32x4.add (v128.load (local.get $a)) (local.get $sv)))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br_if $next (i32.lt_u (local.get $o) (local.get $end))))))

  ;; o[i] = a[i] - b[i]
  (func (export "sub_vv") (param $a i32) (param $b i32) (param $o i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $o) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
      (loop $next
        (v128.store (local.get $o) (f32x4.sub (v128.load (local.get $a)) (v128.load (local.get $b))))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 16)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br_if $next (i32.lt_u (local.get $o) (local.get $end))))))

  ;; o[i] = a[i] - s
  (func (export "sub_vs") (param $a i32) (param $s f32) (param $o i32) (param $n i32)
    (local $end i32)
    (local $sv v128)
    (local.set $end (i32.add (local.get $o) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $sv (f32x4.splat (local.get $s)))
    (block $done
      (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
      (loop $next
        (v128.store (local.get $o) (f32x4.sub (v128.load (local.get $a)) (local.get $sv)))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br_if $next (i32.lt_u (local.get $o) (local.get $end))))))

  ;; o[i] = s - b[i]
  (func (export "sub_sv") (param $s f32) (param $b i32) (param $o i32) (param $n i32)
    (local $end i32)
    (local $sv v128)
    (local.set $end (i32.add (local.get $o) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $sv (f32x4.splat (local.get $s)))
    (block $done
      (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
      (loop $next
        (v128.store (local.get $o) (f32x4.sub (local.get $sv) (v128.load (local.get $b))))
        (local.set $b (i32.add (local.get $b) (i32.const 16)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br_if $next (i32.lt_u (local.get $o) (local.get $end))))))

  ;; o[i] = a[i] * b[i]
  (func (export "mul_vv") (param $a i32) (param $b i32) (param $o i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $o) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
      (loop $next
        (v128.store (local.get $o) (f32x4.mul (v128.load (local.get $a)) (v128.load (local.get $b))))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 16)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br_if $next (i32.lt_u (local.get $o) (local.get $end))))))

  ;; o[i] = a[i] * s
  (func (export "mul_vs") (param $a i32) (param $s f32) (param $o i32) (param $n i32)
    (local $end i32)
    (local $sv v128)
    (local.set $end (i32.add (local.get $o) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $sv (f32x4.splat (local.get $s)))
    (block $done
      (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
      (loop $next
        (v128.store (local.get $o) (f32x4.mul (v128.load (local.get $a)) (local.get $sv)))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br_if $next (i32.lt_u (local.get $o) (local.get $end))))))

  ;; o[i] = a[i] / b[i]
  (func (export "div_vv") (param $a i32) (param $b i32) (param $o i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $o) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
      (loop $next
        (v128.store (local.get $o) (f32x4.div (v128.load (local.get $a)) (v128.load (local.get $b))))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 16)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br_if $next (i32.lt_u (local.get $o) (local.get $end))))))

  ;; o[i] = a[i] / s
  (func (export "div_vs") (param $a i32) (param $s f32) (param $o i32) (param $n i32)
    (local $end i32)
    (local $sv v128)
    (local.set $end (i32.add (local.get $o) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $sv (f32x4.splat (local.get $s)))
    (block $done
      (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
      (loop $next
        (v128.store (local.get $o) (f32x4.div (v128.load (local.get $a)) (local.get $sv)))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br_if $next (i32.lt_u (local.get $o) (local.get $end))))))

  ;; o[i] = s / b[i]
  (func (export "div_sv") (param $s f32) (param $b i32) (param $o i32) (param $n i32)
    (local $end i32)
    (local $sv v128)
    (local.set $end (i32.add (local.get $o) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $sv (f32x4.splat (local.get $s)))
    (block $done
      (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
      (loop $next
        (v128.store (local.get $o) (f32x4.div (local.get $sv) (v128.load (local.get $b))))
        (local.set $b (i32.add (local.get $b) (i32.const 16)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br_if $next (i32.lt_u (local.get $o) (local.get $end))))))


  ;; o[i] = max(0, x[i]) keeping -0 and every NaN's bits: only lanes that compare < 0 (the
  ;; negatives from -inf to the smallest negative subnormal) are cleared.
  (func (export "relu") (param $x i32) (param $o i32) (param $n i32)
    (local $end i32)
    (local $v v128)
    (local.set $end (i32.add (local.get $o) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
      (loop $next
        (local.set $v (v128.load (local.get $x)))
        (v128.store (local.get $o)
          (v128.andnot (local.get $v) (f32x4.lt (local.get $v) (v128.const f32x4 0 0 0 0))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br_if $next (i32.lt_u (local.get $o) (local.get $end))))))

  ;; o[i] = c[i] ? a[i] : b[i] for float32 a, b and bytes c (bool). $as / $bs are the byte steps
  ;; of a and b per vector: 16 for a whole operand, 0 for a scalar stored 4 times at its address.
  ;; A pure select: every bit of the chosen value is kept.
  (func (export "where") (param $c i32) (param $a i32) (param $as i32) (param $b i32) (param $bs i32)
    (param $o i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $o) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
      (loop $next
        (v128.store (local.get $o)
          (v128.bitselect (v128.load (local.get $a)) (v128.load (local.get $b))
            (i32x4.ne
              (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $c))))
              (v128.const i32x4 0 0 0 0))))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (local.set $a (i32.add (local.get $a) (local.get $as)))
        (local.set $b (i32.add (local.get $b) (local.get $bs)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br_if $next (i32.lt_u (local.get $o) (local.get $end))))))

  ;; o[i] = y[i] > 0 ? dy[i] : 0 (ReLU's gradient from its output, PyTorch's threshold_backward):
  ;; the compare's mask selects dy's bits or +0, so an infinite or NaN dy where y <= 0 gives 0.
  (func (export "relu_backward") (param $dy i32) (param $y i32) (param $o i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $o) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
      (loop $next
        (v128.store (local.get $o)
          (v128.and (v128.load (local.get $dy)) (f32x4.gt (v128.load (local.get $y)) (v128.const f32x4 0 0 0 0))))
        (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
        (local.set $y (i32.add (local.get $y) (i32.const 16)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br_if $next (i32.lt_u (local.get $o) (local.get $end))))))

  ;; o[i] = a[i] > s ? 1 : 0 into bytes, 16 elements per step (four f32x4 compares narrowed to
  ;; one i8x16 of 0 / -1, masked to 0 / 1). NaN compares false, as in JavaScript.
  (func (export "gt_vs") (param $a i32) (param $s f32) (param $o i32) (param $n i32)
    (local $end i32)
    (local $sv v128)
    (local.set $end (i32.add (local.get $o) (local.get $n)))
    (local.set $sv (f32x4.splat (local.get $s)))
    (block $done
      (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
      (loop $next
        (v128.store (local.get $o)
          (v128.and
            (i8x16.narrow_i16x8_s
              (i16x8.narrow_i32x4_s
                (f32x4.gt (v128.load (local.get $a)) (local.get $sv))
                (f32x4.gt (v128.load offset=16 (local.get $a)) (local.get $sv)))
              (i16x8.narrow_i32x4_s
                (f32x4.gt (v128.load offset=32 (local.get $a)) (local.get $sv))
                (f32x4.gt (v128.load offset=48 (local.get $a)) (local.get $sv))))
            (v128.const i8x16 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1)))
        (local.set $a (i32.add (local.get $a) (i32.const 64)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br_if $next (i32.lt_u (local.get $o) (local.get $end))))))

  ;; acc[j] += x[r * cols + j] for r < rows, j < cols: column sums of a row-major [rows, cols]
  ;; float32 block into float64 accumulators (zeroed or carried by the caller), row after row, so
  ;; each column is summed in the same order as the JavaScript loop. A row's last vector may read
  ;; into the next row; those lanes land in the padding of acc.
  (func (export "sum_rows") (param $x i32) (param $acc i32) (param $rows i32) (param $cols i32)
    (local $rowEnd i32)
    (local $p i32)
    (local $v v128)
    (local $xEnd i32)
    (local.set $xEnd (i32.add (local.get $x) (i32.shl (i32.mul (local.get $rows) (local.get $cols)) (i32.const 2))))
    (block $done
      (br_if $done (i32.or (i32.eqz (local.get $rows)) (i32.eqz (local.get $cols))))
      (loop $row
        (local.set $rowEnd (i32.add (local.get $x) (i32.shl (local.get $cols) (i32.const 2))))
        (local.set $p (local.get $acc))
        (loop $col
          (local.set $v (v128.load (local.get $x)))
          (v128.store (local.get $p)
            (f64x2.add (v128.load (local.get $p)) (f64x2.promote_low_f32x4 (local.get $v))))
          (v128.store offset=16 (local.get $p)
            (f64x2.add (v128.load offset=16 (local.get $p))
              (f64x2.promote_low_f32x4
                (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
          (local.set $x (i32.add (local.get $x) (i32.const 16)))
          (local.set $p (i32.add (local.get $p) (i32.const 32)))
          (br_if $col (i32.lt_u (local.get $x) (local.get $rowEnd))))
        (local.set $x (local.get $rowEnd))
        (br_if $row (i32.lt_u (local.get $x) (local.get $xEnd))))))

  ;; torch.optim.SGD's step (core's sgdStep, reference src/impl/sgd-step.ts) over n elements of
  ;; param p, grad g and momentum buffer buf, in place. flags: 1 maximize, 2 weight decay,
  ;; 4 momentum (buf is used), 8 first step (buf = d), 16 nesterov. Loop-invariant branches.
  (func (export "sgd") (param $p i32) (param $g i32) (param $buf i32) (param $n i32) (param $flags i32)
    (param $wd f32) (param $m f32) (param $keep f32) (param $negLr f32)
    (local $end i32)
    (local $vwd v128) (local $vm v128) (local $vkeep v128) (local $vlr v128)
    (local $pv v128) (local $d v128) (local $b v128)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vwd (f32x4.splat (local.get $wd)))
    (local.set $vm (f32x4.splat (local.get $m)))
    (local.set $vkeep (f32x4.splat (local.get $keep)))
    (local.set $vlr (f32x4.splat (local.get $negLr)))
    (block $done
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (loop $next
        (local.set $pv (v128.load (local.get $p)))
        (local.set $d (v128.load (local.get $g)))
        (if (i32.and (local.get $flags) (i32.const 1))
          (then (local.set $d (f32x4.neg (local.get $d)))))
        (if (i32.and (local.get $flags) (i32.const 2))
          (then (local.set $d (f32x4.add (local.get $d) (f32x4.mul (local.get $pv) (local.get $vwd))))))
        (if (i32.and (local.get $flags) (i32.const 4))
          (then
            (if (i32.and (local.get $flags) (i32.const 8))
              (then (local.set $b (local.get $d)))
              (else
                (local.set $b
                  (f32x4.add
                    (f32x4.mul (v128.load (local.get $buf)) (local.get $vm))
                    (f32x4.mul (local.get $d) (local.get $vkeep))))))
            (v128.store (local.get $buf) (local.get $b))
            (if (i32.and (local.get $flags) (i32.const 16))
              (then (local.set $d (f32x4.add (local.get $d) (f32x4.mul (local.get $b) (local.get $vm)))))
              (else (local.set $d (local.get $b))))))
        (v128.store (local.get $p) (f32x4.add (local.get $pv) (f32x4.mul (local.get $d) (local.get $vlr))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (local.set $buf (i32.add (local.get $buf) (i32.const 16)))
        (br_if $next (i32.lt_u (local.get $p) (local.get $end))))))

  ;; torch.optim.Adam / AdamW's step (core's adamStep, reference src/impl/adam-step.ts) over n
  ;; elements of param p, grad g, exp_avg m, exp_avg_sq v and (amsgrad) max_exp_avg_sq vmax, in
  ;; place. flags: 1 maximize, 2 decoupled weight decay (p *= paramScale), 4 coupled weight decay
  ;; (g += p * decay), 8 amsgrad. f32x4.max propagates NaN, as torch.maximum.
  (func (export "adam") (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $vmax i32)
    (param $n i32) (param $flags i32)
    (param $paramScale f32) (param $decay f32) (param $b1 f32) (param $b2 f32) (param $omb1 f32)
    (param $omb2 f32) (param $c2 f32) (param $eps f32) (param $negStep f32)
    (local $end i32)
    (local $vScale v128) (local $vDecay v128) (local $vb1 v128) (local $vb2 v128) (local $vomb1 v128)
    (local $vomb2 v128) (local $vc2 v128) (local $veps v128) (local $vstep v128)
    (local $pv v128) (local $gv v128) (local $mv v128) (local $vv v128)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vScale (f32x4.splat (local.get $paramScale)))
    (local.set $vDecay (f32x4.splat (local.get $decay)))
    (local.set $vb1 (f32x4.splat (local.get $b1)))
    (local.set $vb2 (f32x4.splat (local.get $b2)))
    (local.set $vomb1 (f32x4.splat (local.get $omb1)))
    (local.set $vomb2 (f32x4.splat (local.get $omb2)))
    (local.set $vc2 (f32x4.splat (local.get $c2)))
    (local.set $veps (f32x4.splat (local.get $eps)))
    (local.set $vstep (f32x4.splat (local.get $negStep)))
    (block $done
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (loop $next
        (local.set $pv (v128.load (local.get $p)))
        (local.set $gv (v128.load (local.get $g)))
        (if (i32.and (local.get $flags) (i32.const 1))
          (then (local.set $gv (f32x4.neg (local.get $gv)))))
        (if (i32.and (local.get $flags) (i32.const 2))
          (then (local.set $pv (f32x4.mul (local.get $pv) (local.get $vScale)))))
        (if (i32.and (local.get $flags) (i32.const 4))
          (then (local.set $gv (f32x4.add (local.get $gv) (f32x4.mul (local.get $pv) (local.get $vDecay))))))
        (local.set $mv
          (f32x4.add
            (f32x4.mul (v128.load (local.get $m)) (local.get $vb1))
            (f32x4.mul (local.get $gv) (local.get $vomb1))))
        (local.set $vv
          (f32x4.add
            (f32x4.mul (v128.load (local.get $v)) (local.get $vb2))
            (f32x4.mul (f32x4.mul (local.get $gv) (local.get $gv)) (local.get $vomb2))))
        (v128.store (local.get $m) (local.get $mv))
        (v128.store (local.get $v) (local.get $vv))
        (if (i32.and (local.get $flags) (i32.const 8))
          (then
            (local.set $vv (f32x4.max (v128.load (local.get $vmax)) (local.get $vv)))
            (v128.store (local.get $vmax) (local.get $vv))
            (local.set $vmax (i32.add (local.get $vmax) (i32.const 16)))))
        (v128.store (local.get $p)
          (f32x4.add (local.get $pv)
            (f32x4.mul
              (f32x4.div (local.get $mv)
                (f32x4.add (f32x4.div (f32x4.sqrt (local.get $vv)) (local.get $vc2)) (local.get $veps)))
              (local.get $vstep))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (local.set $m (i32.add (local.get $m) (i32.const 16)))
        (local.set $v (i32.add (local.get $v) (i32.const 16)))
        (br_if $next (i32.lt_u (local.get $p) (local.get $end))))))
)
