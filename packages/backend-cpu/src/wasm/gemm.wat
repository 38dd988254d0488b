;; Flint backend-cpu: float32 GEMM micro-kernel and blocking loops in WebAssembly SIMD (f32x4),
;; accumulating C in float64.
;;
;; Hand-written; assembled by scripts/wasm.ts (wabt) into src/wasm/gemm-bytes.ts, which is
;; committed (a test reassembles this file and checks the bytes match).
;;
;;   C[i, j] += sum_k A[i, k] * B[k, j]      for i < M, j < N   (A, B float32; C float64)
;;
;; All operands live in this module's memory: the storage heap's on one thread, where heap arrays
;; are passed by address, or one of its own (gemm-wasm.ts copies the other operands in, C out).
;; Pointers are byte addresses; strides (rs = row stride, cs = column stride, ldc) are in
;; elements, so transposed operands are just other strides. Goto/BLIS blocking:
;;
;;   for jc in N step NC:                 B panel columns
;;     for pc in K step KC:               pack B(pc:pc+kc, jc:jc+nc) into 8-column micro-panels
;;       for ic in M step MC:             pack A(ic:ic+mc, pc:pc+kc) into 4-row micro-panels
;;         for jr in nc step 8:
;;           for ir in mc step 4:         4x8 micro-kernel: 8 f32x4 accumulators in registers
;;
;; A micro-panel is k-major [kc][4] (one f32x4 per k, splat per row); a B micro-panel is
;; [kc][8] (two f32x4 per k). Edge tiles (fewer than 4 rows / 8 columns) are computed into a
;; zero-padded scratch tile and added element by element. mul + add here; where the engine has
;; relaxed SIMD, gemm-fma.wat's copy of the kernel with FMA runs instead (see $micro).
;; The micro-kernel sums in float32 over chunks of 32 k steps and adds each chunk into C in float64,
;; so a long K costs no more than 32 steps' float32 rounding.
;; The kernel keeps 8 accumulators + 2 B vectors + 4 broadcasts + 1 temporary live: the 15 XMM
;; registers V8 allocates on x64, without spilling.
(module
  ;; The memory is created by gemm-wasm.ts and shared with gemm-fma.wat's kernel. $fma (set to 1
  ;; from JS where the engine validated that module) routes every micro-tile to its relaxed-SIMD
  ;; FMA kernel, imported as $kernel_fma; while 0 the import may be a placeholder never called.
  (import "env" "memory" (memory 1))
  (import "env" "kernel_fma" (func $kernel_fma (param i32 i32 i32 i32 i32 i32)))
  (global $fma (export "fma") (mut i32) (i32.const 0))

  ;; C(4x8 float64 at $pc, row stride $ldc bytes) += Apanel^T Bpanel over $kc steps. Products and
  ;; sums run in f32x4 over chunks of at most 32 steps, then the 8 accumulators are widened and added
  ;; into C in float64: a float32 sum of n terms is off by up to ~n/4 ulp, so 32-step chunks keep
  ;; a long K within ~5e-7 relative where one float32 sum over K = 1e6 is off by ~1e-4. With $add 0
  ;; the first chunk stores into C instead of adding (the first K slice of an overwriting call).
  ;; With $add 2 (store) or 3 (add) C is float32 instead, row stride $ldc bytes: the caller uses
  ;; that only when K fits two chunks (K <= 64). Overwriting, the first chunk is stored and the
  ;; second added in float32, which rounds c1 + c2 once, as the float64 path does (the float64
  ;; sum of two float32 values rounds to their float32 sum); accumulating adds one float32
  ;; rounding per chunk.
  ;; One k step per iteration: 2 B loads, 4 splat loads, 8 mul, 8 add. Not unrolled by hand: V8's
  ;; TurboFan (Node 20) schedules a 4x unrolled body's 24 loads first and then each accumulator's
  ;; four steps back to back, which spills half the registers and chains the adds; this loop runs
  ;; 1.25-1.31x faster on the MLP's shapes (V8 unrolls small loops itself).
  (func $kernel (param $kc i32) (param $pa i32) (param $pb i32) (param $pc i32) (param $ldc i32) (param $add i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $b0 v128) (local $b1 v128) (local $a v128)
    (local $end i32) (local $stop i32) (local $p i32)
    ;; $end: end of the A micro-panel (kc * 16 bytes)
    (local.set $end (i32.add (local.get $pa) (i32.shl (local.get $kc) (i32.const 4))))
    (loop $chunk
      ;; $stop: end of this chunk, 32 steps (512 bytes of A panel) on or the panel's end (each
      ;; chunk has at least one step: $kc >= 1, and the next chunk starts only while $pa < $end)
      (local.set $stop (select (i32.add (local.get $pa) (i32.const 512)) (local.get $end)
                               (i32.lt_u (i32.add (local.get $pa) (i32.const 512)) (local.get $end))))
      (local.set $c00 (v128.const i64x2 0 0))
      (local.set $c01 (v128.const i64x2 0 0))
      (local.set $c10 (v128.const i64x2 0 0))
      (local.set $c11 (v128.const i64x2 0 0))
      (local.set $c20 (v128.const i64x2 0 0))
      (local.set $c21 (v128.const i64x2 0 0))
      (local.set $c30 (v128.const i64x2 0 0))
      (local.set $c31 (v128.const i64x2 0 0))
      (loop $k
        (local.set $b0 (v128.load offset=0 (local.get $pb)))
        (local.set $b1 (v128.load offset=16 (local.get $pb)))
        (local.set $a (v128.load32_splat (local.get $pa)))
        (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a) (local.get $b0))))
        (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $a) (local.get $b1))))
        (local.set $a (v128.load32_splat offset=4 (local.get $pa)))
        (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $a) (local.get $b0))))
        (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $a) (local.get $b1))))
        (local.set $a (v128.load32_splat offset=8 (local.get $pa)))
        (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $a) (local.get $b0))))
        (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $a) (local.get $b1))))
        (local.set $a (v128.load32_splat offset=12 (local.get $pa)))
        (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $a) (local.get $b0))))
        (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $a) (local.get $b1))))
        (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
        (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
        (br_if $k (i32.lt_u (local.get $pa) (local.get $stop))))
      ;; C (float64) += accumulators, widened (lanes 0-1 and 2-3 of each f32x4); with $add 0 (the
      ;; first chunk of an overwriting call) C = accumulators, so the caller need not zero C
      (local.set $p (local.get $pc))
      ;; $add 2 / 3: C is float32 (K <= 64, two chunks; see the comment above gemm.wat's $kernel)
      (if (i32.ge_u (local.get $add) (i32.const 2))
        (then
          (if (i32.and (local.get $add) (i32.const 1))
            (then
              (v128.store offset=0 (local.get $p) (f32x4.add (v128.load offset=0 (local.get $p)) (local.get $c00)))
              (v128.store offset=16 (local.get $p) (f32x4.add (v128.load offset=16 (local.get $p)) (local.get $c01)))
              (local.set $p (i32.add (local.get $p) (local.get $ldc)))
              (v128.store offset=0 (local.get $p) (f32x4.add (v128.load offset=0 (local.get $p)) (local.get $c10)))
              (v128.store offset=16 (local.get $p) (f32x4.add (v128.load offset=16 (local.get $p)) (local.get $c11)))
              (local.set $p (i32.add (local.get $p) (local.get $ldc)))
              (v128.store offset=0 (local.get $p) (f32x4.add (v128.load offset=0 (local.get $p)) (local.get $c20)))
              (v128.store offset=16 (local.get $p) (f32x4.add (v128.load offset=16 (local.get $p)) (local.get $c21)))
              (local.set $p (i32.add (local.get $p) (local.get $ldc)))
              (v128.store offset=0 (local.get $p) (f32x4.add (v128.load offset=0 (local.get $p)) (local.get $c30)))
              (v128.store offset=16 (local.get $p) (f32x4.add (v128.load offset=16 (local.get $p)) (local.get $c31))))
            (else
              (v128.store offset=0 (local.get $p) (local.get $c00))
              (v128.store offset=16 (local.get $p) (local.get $c01))
              (local.set $p (i32.add (local.get $p) (local.get $ldc)))
              (v128.store offset=0 (local.get $p) (local.get $c10))
              (v128.store offset=16 (local.get $p) (local.get $c11))
              (local.set $p (i32.add (local.get $p) (local.get $ldc)))
              (v128.store offset=0 (local.get $p) (local.get $c20))
              (v128.store offset=16 (local.get $p) (local.get $c21))
              (local.set $p (i32.add (local.get $p) (local.get $ldc)))
              (v128.store offset=0 (local.get $p) (local.get $c30))
              (v128.store offset=16 (local.get $p) (local.get $c31)))))
        (else
          (if (local.get $add)
            (then
              (v128.store offset=0 (local.get $p) (f64x2.add (v128.load offset=0 (local.get $p)) (f64x2.promote_low_f32x4 (local.get $c00))))
              (v128.store offset=16 (local.get $p) (f64x2.add (v128.load offset=16 (local.get $p)) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $c00) (local.get $c00)))))
              (v128.store offset=32 (local.get $p) (f64x2.add (v128.load offset=32 (local.get $p)) (f64x2.promote_low_f32x4 (local.get $c01))))
              (v128.store offset=48 (local.get $p) (f64x2.add (v128.load offset=48 (local.get $p)) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $c01) (local.get $c01)))))
              (local.set $p (i32.add (local.get $p) (local.get $ldc)))
              (v128.store offset=0 (local.get $p) (f64x2.add (v128.load offset=0 (local.get $p)) (f64x2.promote_low_f32x4 (local.get $c10))))
              (v128.store offset=16 (local.get $p) (f64x2.add (v128.load offset=16 (local.get $p)) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $c10) (local.get $c10)))))
              (v128.store offset=32 (local.get $p) (f64x2.add (v128.load offset=32 (local.get $p)) (f64x2.promote_low_f32x4 (local.get $c11))))
              (v128.store offset=48 (local.get $p) (f64x2.add (v128.load offset=48 (local.get $p)) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $c11) (local.get $c11)))))
              (local.set $p (i32.add (local.get $p) (local.get $ldc)))
              (v128.store offset=0 (local.get $p) (f64x2.add (v128.load offset=0 (local.get $p)) (f64x2.promote_low_f32x4 (local.get $c20))))
              (v128.store offset=16 (local.get $p) (f64x2.add (v128.load offset=16 (local.get $p)) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $c20) (local.get $c20)))))
              (v128.store offset=32 (local.get $p) (f64x2.add (v128.load offset=32 (local.get $p)) (f64x2.promote_low_f32x4 (local.get $c21))))
              (v128.store offset=48 (local.get $p) (f64x2.add (v128.load offset=48 (local.get $p)) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $c21) (local.get $c21)))))
              (local.set $p (i32.add (local.get $p) (local.get $ldc)))
              (v128.store offset=0 (local.get $p) (f64x2.add (v128.load offset=0 (local.get $p)) (f64x2.promote_low_f32x4 (local.get $c30))))
              (v128.store offset=16 (local.get $p) (f64x2.add (v128.load offset=16 (local.get $p)) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $c30) (local.get $c30)))))
              (v128.store offset=32 (local.get $p) (f64x2.add (v128.load offset=32 (local.get $p)) (f64x2.promote_low_f32x4 (local.get $c31))))
              (v128.store offset=48 (local.get $p) (f64x2.add (v128.load offset=48 (local.get $p)) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $c31) (local.get $c31))))))
            (else
              (v128.store offset=0 (local.get $p) (f64x2.promote_low_f32x4 (local.get $c00)))
              (v128.store offset=16 (local.get $p) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $c00) (local.get $c00))))
              (v128.store offset=32 (local.get $p) (f64x2.promote_low_f32x4 (local.get $c01)))
              (v128.store offset=48 (local.get $p) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $c01) (local.get $c01))))
              (local.set $p (i32.add (local.get $p) (local.get $ldc)))
              (v128.store offset=0 (local.get $p) (f64x2.promote_low_f32x4 (local.get $c10)))
              (v128.store offset=16 (local.get $p) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $c10) (local.get $c10))))
              (v128.store offset=32 (local.get $p) (f64x2.promote_low_f32x4 (local.get $c11)))
              (v128.store offset=48 (local.get $p) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $c11) (local.get $c11))))
              (local.set $p (i32.add (local.get $p) (local.get $ldc)))
              (v128.store offset=0 (local.get $p) (f64x2.promote_low_f32x4 (local.get $c20)))
              (v128.store offset=16 (local.get $p) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $c20) (local.get $c20))))
              (v128.store offset=32 (local.get $p) (f64x2.promote_low_f32x4 (local.get $c21)))
              (v128.store offset=48 (local.get $p) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $c21) (local.get $c21))))
              (local.set $p (i32.add (local.get $p) (local.get $ldc)))
              (v128.store offset=0 (local.get $p) (f64x2.promote_low_f32x4 (local.get $c30)))
              (v128.store offset=16 (local.get $p) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $c30) (local.get $c30))))
              (v128.store offset=32 (local.get $p) (f64x2.promote_low_f32x4 (local.get $c31)))
              (v128.store offset=48 (local.get $p) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $c31) (local.get $c31))))))))
      (local.set $add (i32.or (local.get $add) (i32.const 1)))
      (br_if $chunk (i32.lt_u (local.get $pa) (local.get $end)))))

  ;; One micro-tile on the kernel chosen at load (this module's, or gemm-fma.wat's FMA one).
  (func $micro (param $kc i32) (param $pa i32) (param $pb i32) (param $pc i32) (param $ldc i32) (param $add i32)
    (if (global.get $fma)
      (then (call $kernel_fma (local.get $kc) (local.get $pa) (local.get $pb) (local.get $pc) (local.get $ldc) (local.get $add)))
      (else (call $kernel (local.get $kc) (local.get $pa) (local.get $pb) (local.get $pc) (local.get $ldc) (local.get $add)))))

  ;; Edge tile: mr < 4 or nr < 8. The kernel runs on the zero-padded panels into a 4x8 float64
  ;; scratch tile at $tile (256 bytes, overwritten), and the valid mr x nr corner is added into C
  ;; ($add 1) or stored there ($add 0), float32 C for $add 3 / 2; $ldc in bytes.
  (func $edge (param $kc i32) (param $pa i32) (param $pb i32) (param $pc i32) (param $ldc i32)
              (param $mr i32) (param $nr i32) (param $tile i32) (param $add i32)
    (local $i i32) (local $j i32) (local $src i32) (local $dst i32) (local $esz i32)
    ;; $esz: bytes per C element (float32 for $add 2 / 3)
    (local.set $esz (select (i32.const 4) (i32.const 8) (i32.ge_u (local.get $add) (i32.const 2))))
    (call $micro (local.get $kc) (local.get $pa) (local.get $pb) (local.get $tile) (i32.const 64) (i32.const 0))
    (loop $rows
      (local.set $src (i32.add (local.get $tile) (i32.shl (local.get $i) (i32.const 6))))
      (local.set $dst (i32.add (local.get $pc) (i32.mul (local.get $i) (local.get $ldc))))
      (local.set $j (i32.const 0))
      (loop $cols
        (if (i32.ge_u (local.get $add) (i32.const 2))
          (then
            ;; float32 C: the float64 sum of two float32 values rounds to their float32 sum
            (if (i32.and (local.get $add) (i32.const 1))
              (then (f32.store (local.get $dst) (f32.demote_f64 (f64.add (f64.promote_f32 (f32.load (local.get $dst))) (f64.load (local.get $src))))))
              (else (f32.store (local.get $dst) (f32.demote_f64 (f64.load (local.get $src)))))))
          (else
            (if (local.get $add)
              (then (f64.store (local.get $dst) (f64.add (f64.load (local.get $dst)) (f64.load (local.get $src)))))
              (else (f64.store (local.get $dst) (f64.load (local.get $src)))))))
        (local.set $src (i32.add (local.get $src) (i32.const 8)))
        (local.set $dst (i32.add (local.get $dst) (local.get $esz)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $cols (i32.lt_u (local.get $j) (local.get $nr))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $rows (i32.lt_u (local.get $i) (local.get $mr)))))

  ;; Pack B(k0:k0+kc, j0:j0+nc) (B(k, j) at $b + 4*(k*$rs + j*$cs)) into ceil(nc/8) micro-panels
  ;; [kc][8] at $dst, zero-padded on the right.
  (func $packB (param $b i32) (param $rs i32) (param $cs i32) (param $k0 i32) (param $kc i32)
               (param $j0 i32) (param $nc i32) (param $dst i32)
    (local $j i32) (local $nr i32) (local $jj i32) (local $k i32) (local $kk i32) (local $src i32) (local $s i32)
    (local $d i32) (local $rsb i32) (local $csb i32) (local $panel i32)
    (local $x0 v128) (local $x1 v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $rsb (i32.shl (local.get $rs) (i32.const 2)))
    (local.set $csb (i32.shl (local.get $cs) (i32.const 2)))
    (local.set $panel (i32.shl (local.get $kc) (i32.const 5)))
    (loop $panels
      (local.set $nr (select (i32.const 8) (i32.sub (local.get $nc) (local.get $j))
                             (i32.ge_u (i32.sub (local.get $nc) (local.get $j)) (i32.const 8))))
      (local.set $src (i32.add (local.get $b)
        (i32.shl (i32.add (i32.mul (local.get $k0) (local.get $rs))
                          (i32.mul (i32.add (local.get $j0) (local.get $j)) (local.get $cs)))
                 (i32.const 2))))
      (if (i32.and (i32.eq (local.get $nr) (i32.const 8)) (i32.eq (local.get $cs) (i32.const 1)))
        (then
          ;; rows of B are contiguous: copy 8 floats per k as two f32x4
          (local.set $d (local.get $dst))
          (local.set $k (i32.const 0))
          (loop $copy
            (v128.store offset=0 (local.get $d) (v128.load offset=0 (local.get $src)))
            (v128.store offset=16 (local.get $d) (v128.load offset=16 (local.get $src)))
            (local.set $src (i32.add (local.get $src) (local.get $rsb)))
            (local.set $d (i32.add (local.get $d) (i32.const 32)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br_if $copy (i32.lt_u (local.get $k) (local.get $kc)))))
        (else
          (local.set $k (i32.const 0))
          (if (i32.and (i32.eq (local.get $nr) (i32.const 8)) (i32.eq (local.get $rs) (i32.const 1)))
            (then
              ;; B is transposed (columns contiguous): 4 k at a time, two 4x4 transposes written
              ;; inline (1.03-1.13x faster on B^T shapes than a call per 4x4 block): rows
              ;; interleaved in pairs (unpcklps / unpckhps patterns), then their halves paired
              ;; (movlhps / movhlps)
              (local.set $d (local.get $dst))
              (local.set $s (local.get $src))
              (block $t4done
                (loop $t4loop
                  (br_if $t4done (i32.gt_u (i32.add (local.get $k) (i32.const 4)) (local.get $kc)))
                  (local.set $x0 (v128.load (local.get $s)))
                  (local.set $x1 (v128.load (i32.add (local.get $s) (local.get $csb))))
                  (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $x0) (local.get $x1)))
                  (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $x0) (local.get $x1)))
                  (local.set $x0 (v128.load (i32.add (local.get $s) (i32.shl (local.get $csb) (i32.const 1)))))
                  (local.set $x1 (v128.load (i32.add (local.get $s) (i32.mul (local.get $csb) (i32.const 3)))))
                  (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $x0) (local.get $x1)))
                  (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $x0) (local.get $x1)))
                  (v128.store offset=0 (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
                  (v128.store offset=32 (local.get $d) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
                  (v128.store offset=64 (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
                  (v128.store offset=96 (local.get $d) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
                  (local.set $x0 (v128.load (i32.add (local.get $s) (i32.shl (local.get $csb) (i32.const 2)))))
                  (local.set $x1 (v128.load (i32.add (local.get $s) (i32.mul (local.get $csb) (i32.const 5)))))
                  (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $x0) (local.get $x1)))
                  (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $x0) (local.get $x1)))
                  (local.set $x0 (v128.load (i32.add (local.get $s) (i32.mul (local.get $csb) (i32.const 6)))))
                  (local.set $x1 (v128.load (i32.add (local.get $s) (i32.mul (local.get $csb) (i32.const 7)))))
                  (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $x0) (local.get $x1)))
                  (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $x0) (local.get $x1)))
                  (v128.store offset=16 (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
                  (v128.store offset=48 (local.get $d) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
                  (v128.store offset=80 (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
                  (v128.store offset=112 (local.get $d) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
                  (local.set $s (i32.add (local.get $s) (i32.const 16)))
                  (local.set $d (i32.add (local.get $d) (i32.const 128)))
                  (local.set $k (i32.add (local.get $k) (i32.const 4)))
                  (br $t4loop)))))
          ;; the rest (all of it for other layouts / edge panels), one column at a time from
          ;; step $k on (sequential reads when B is transposed, rs == 1)
          (if (i32.lt_u (local.get $nr) (i32.const 8))
            (then (memory.fill (local.get $dst) (i32.const 0) (local.get $panel))))
          (if (i32.lt_u (local.get $k) (local.get $kc)) (then
          (local.set $jj (i32.const 0))
          (loop $cols
            (local.set $s (i32.add (i32.add (local.get $src) (i32.mul (local.get $jj) (local.get $csb)))
                                   (i32.mul (local.get $k) (local.get $rsb))))
            (local.set $d (i32.add (i32.add (local.get $dst) (i32.shl (local.get $jj) (i32.const 2)))
                                   (i32.shl (local.get $k) (i32.const 5))))
            (local.set $kk (local.get $k))
            (loop $col
              (f32.store (local.get $d) (f32.load (local.get $s)))
              (local.set $s (i32.add (local.get $s) (local.get $rsb)))
              (local.set $d (i32.add (local.get $d) (i32.const 32)))
              (local.set $kk (i32.add (local.get $kk) (i32.const 1)))
              (br_if $col (i32.lt_u (local.get $kk) (local.get $kc))))
            (local.set $jj (i32.add (local.get $jj) (i32.const 1)))
            (br_if $cols (i32.lt_u (local.get $jj) (local.get $nr))))))))
      (local.set $dst (i32.add (local.get $dst) (local.get $panel)))
      (local.set $j (i32.add (local.get $j) (i32.const 8)))
      (br_if $panels (i32.lt_u (local.get $j) (local.get $nc)))))

  ;; Pack A(i0:i0+mc, k0:k0+kc) (A(i, k) at $a + 4*(i*$rs + k*$cs)) into ceil(mc/4) micro-panels
  ;; [kc][4] at $dst, zero-padded at the bottom.
  (func $packA (param $a i32) (param $rs i32) (param $cs i32) (param $i0 i32) (param $mc i32)
               (param $k0 i32) (param $kc i32) (param $dst i32)
    (local $i i32) (local $mr i32) (local $r i32) (local $k i32) (local $kk i32) (local $src i32) (local $s i32)
    (local $d i32) (local $rsb i32) (local $csb i32) (local $panel i32)
    (local $x0 v128) (local $x1 v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $rsb (i32.shl (local.get $rs) (i32.const 2)))
    (local.set $csb (i32.shl (local.get $cs) (i32.const 2)))
    (local.set $panel (i32.shl (local.get $kc) (i32.const 4)))
    (loop $panels
      (local.set $mr (select (i32.const 4) (i32.sub (local.get $mc) (local.get $i))
                             (i32.ge_u (i32.sub (local.get $mc) (local.get $i)) (i32.const 4))))
      (local.set $src (i32.add (local.get $a)
        (i32.shl (i32.add (i32.mul (i32.add (local.get $i0) (local.get $i)) (local.get $rs))
                          (i32.mul (local.get $k0) (local.get $cs)))
                 (i32.const 2))))
      (if (i32.and (i32.eq (local.get $mr) (i32.const 4)) (i32.eq (local.get $rs) (i32.const 1)))
        (then
          ;; A is transposed (columns contiguous): one f32x4 per k
          (local.set $d (local.get $dst))
          (local.set $k (i32.const 0))
          (loop $copy
            (v128.store (local.get $d) (v128.load (local.get $src)))
            (local.set $src (i32.add (local.get $src) (local.get $csb)))
            (local.set $d (i32.add (local.get $d) (i32.const 16)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br_if $copy (i32.lt_u (local.get $k) (local.get $kc)))))
        (else
          (local.set $k (i32.const 0))
          (if (i32.and (i32.eq (local.get $mr) (i32.const 4)) (i32.eq (local.get $cs) (i32.const 1)))
            (then
              ;; rows of A contiguous: 4 k at a time, one 4x4 transpose (as in $packB)
              (local.set $d (local.get $dst))
              (local.set $s (local.get $src))
              (block $t4done
                (loop $t4loop
                  (br_if $t4done (i32.gt_u (i32.add (local.get $k) (i32.const 4)) (local.get $kc)))
                  (local.set $x0 (v128.load (local.get $s)))
                  (local.set $x1 (v128.load (i32.add (local.get $s) (local.get $rsb))))
                  (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $x0) (local.get $x1)))
                  (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $x0) (local.get $x1)))
                  (local.set $x0 (v128.load (i32.add (local.get $s) (i32.shl (local.get $rsb) (i32.const 1)))))
                  (local.set $x1 (v128.load (i32.add (local.get $s) (i32.mul (local.get $rsb) (i32.const 3)))))
                  (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $x0) (local.get $x1)))
                  (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $x0) (local.get $x1)))
                  (v128.store offset=0 (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
                  (v128.store offset=16 (local.get $d) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
                  (v128.store offset=32 (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
                  (v128.store offset=48 (local.get $d) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
                  (local.set $s (i32.add (local.get $s) (i32.const 16)))
                  (local.set $d (i32.add (local.get $d) (i32.const 64)))
                  (local.set $k (i32.add (local.get $k) (i32.const 4)))
                  (br $t4loop)))))
          ;; the rest (all of it for other layouts / edge panels), one row at a time from step $k
          (if (i32.lt_u (local.get $mr) (i32.const 4))
            (then (memory.fill (local.get $dst) (i32.const 0) (local.get $panel))))
          (if (i32.lt_u (local.get $k) (local.get $kc)) (then
          (local.set $r (i32.const 0))
          (loop $rows
            (local.set $s (i32.add (i32.add (local.get $src) (i32.mul (local.get $r) (local.get $rsb)))
                                   (i32.mul (local.get $k) (local.get $csb))))
            (local.set $d (i32.add (i32.add (local.get $dst) (i32.shl (local.get $r) (i32.const 2)))
                                   (i32.shl (local.get $k) (i32.const 4))))
            (local.set $kk (local.get $k))
            (loop $row
              (f32.store (local.get $d) (f32.load (local.get $s)))
              (local.set $s (i32.add (local.get $s) (local.get $csb)))
              (local.set $d (i32.add (local.get $d) (i32.const 16)))
              (local.set $kk (i32.add (local.get $kk) (i32.const 1)))
              (br_if $row (i32.lt_u (local.get $kk) (local.get $kc))))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br_if $rows (i32.lt_u (local.get $r) (local.get $mr))))))))
      (local.set $dst (i32.add (local.get $dst) (local.get $panel)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br_if $panels (i32.lt_u (local.get $i) (local.get $mc)))))

  ;; C moves between JS (float32) and this module (float64) as float32 and is converted here with
  ;; SIMD: a JS typed-array copy that converts runs ~5x slower than a plain one. In place for a C
  ;; copied in and out; from / into C itself when C is a storage-heap array (gemm-wasm.ts).
  ;; narrow_into: $n float64 at $src -> $n float32 at $dst, forward (in place, $dst = $src, each
  ;; store lands below its loads); exactly $n elements are stored.
  (func $narrow_into (export "narrow_into") (param $src i32) (param $dst i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $src) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 3))))
    (block $done4
      (loop $by4
        (br_if $done4 (i32.ge_u (local.get $src) (local.get $end)))
        (v128.store (local.get $dst)
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
            (f32x4.demote_f64x2_zero (v128.load offset=0 (local.get $src)))
            (f32x4.demote_f64x2_zero (v128.load offset=16 (local.get $src)))))
        (local.set $src (i32.add (local.get $src) (i32.const 32)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (br $by4)))
    (local.set $end (i32.add (local.get $src) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 3))))
    (block $done
      (loop $by1
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (f32.store (local.get $dst) (f32.demote_f64 (f64.load (local.get $src))))
        (local.set $src (i32.add (local.get $src) (i32.const 8)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (br $by1))))

  (func (export "narrow") (param $p i32) (param $n i32)
    (call $narrow_into (local.get $p) (local.get $p) (local.get $n)))

  ;; widen_from: $n float32 at $src -> $n float64 at $dst, backward (in place, $dst = $src, each
  ;; store lands above the loads still to come).
  (func $widen_from (export "widen_from") (param $src i32) (param $dst i32) (param $n i32)
    (local $i i32)
    (local.set $i (local.get $n))
    (if (i32.and (local.get $n) (i32.const 1))
      (then
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (f64.store (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 3)))
          (f64.promote_f32 (f32.load (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 2))))))))
    (block $done
      (loop $by2
        (br_if $done (i32.eqz (local.get $i)))
        (local.set $i (i32.sub (local.get $i) (i32.const 2)))
        (v128.store (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 3)))
          (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 2))))))
        (br $by2))))

  (func (export "widen") (param $p i32) (param $n i32)
    (call $widen_from (local.get $p) (local.get $p) (local.get $n)))

  ;; Batch-1 (M < 4) products without packing: C (float64, already initialised; row stride $ldc
  ;; elements) += A B, A's M rows contiguous (row stride $K elements). The blocked GEMM would run
  ;; one real row in a 4-row micro-panel and pack all of B first; these stream B once, as it lies.
  ;; Both sum in float32 over chunks of at most 32 terms per lane and add each chunk into C in
  ;; float64, as the micro-kernel does.
  ;;
  ;; gemv_dot: B(k, j) at $b + 4*(k + j*$bcs) (columns of B contiguous in k: a linear layer's
  ;; weight [N, K]). Four columns at a time: per 4 k, one A vector and four B vectors, lane sums
  ;; widened every 128 k; k % 4 leftovers in scalar float64. An edge block of fewer than 4 columns
  ;; re-reads the last column for the missing ones and stores only the valid sums.
  (func (export "gemv_dot") (param $M i32) (param $N i32) (param $K i32) (param $a i32)
                            (param $b i32) (param $bcs i32) (param $c i32) (param $ldc i32)
    (local $j i32) (local $i i32) (local $nr i32) (local $K4 i32) (local $bcsb i32)
    (local $b0 i32) (local $b1 i32) (local $b2 i32) (local $b3 i32)
    (local $pa i32) (local $pk i32) (local $pend i32) (local $pstop i32) (local $pc i32)
    (local $x v128) (local $q0 v128) (local $q1 v128) (local $q2 v128) (local $q3 v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $t0 f64) (local $t1 f64) (local $t2 f64) (local $t3 f64) (local $av f32)
    (local.set $K4 (i32.shl (i32.and (local.get $K) (i32.const -4)) (i32.const 2)))
    (local.set $bcsb (i32.shl (local.get $bcs) (i32.const 2)))
    (loop $cols
      (local.set $nr (select (i32.const 4) (i32.sub (local.get $N) (local.get $j))
                             (i32.ge_u (i32.sub (local.get $N) (local.get $j)) (i32.const 4))))
      ;; column pointers (byte addresses of B(0, j + q)), clamped to the last valid column
      (local.set $b0 (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $bcsb))))
      (local.set $b1 (select (i32.add (local.get $b0) (local.get $bcsb)) (local.get $b0) (i32.gt_u (local.get $nr) (i32.const 1))))
      (local.set $b2 (select (i32.add (local.get $b1) (local.get $bcsb)) (local.get $b1) (i32.gt_u (local.get $nr) (i32.const 2))))
      (local.set $b3 (select (i32.add (local.get $b2) (local.get $bcsb)) (local.get $b2) (i32.gt_u (local.get $nr) (i32.const 3))))
      (local.set $i (i32.const 0))
      (loop $rows
        ;; $pa: A row i; $pk: byte offset into the row (and into each column of B)
        (local.set $pa (i32.add (local.get $a) (i32.shl (i32.mul (local.get $i) (local.get $K)) (i32.const 2))))
        (local.set $s0 (v128.const i64x2 0 0))
        (local.set $s1 (v128.const i64x2 0 0))
        (local.set $s2 (v128.const i64x2 0 0))
        (local.set $s3 (v128.const i64x2 0 0))
        (local.set $pk (i32.const 0))
        (block $vdone
          (loop $chunk
            (br_if $vdone (i32.ge_u (local.get $pk) (local.get $K4)))
            ;; 128 k (512 bytes) per chunk, or up to the vector part's end
            (local.set $pstop (select (i32.add (local.get $pk) (i32.const 512)) (local.get $K4)
                                      (i32.lt_u (i32.add (local.get $pk) (i32.const 512)) (local.get $K4))))
            (local.set $q0 (v128.const i64x2 0 0))
            (local.set $q1 (v128.const i64x2 0 0))
            (local.set $q2 (v128.const i64x2 0 0))
            (local.set $q3 (v128.const i64x2 0 0))
            (loop $k4
              (local.set $x (v128.load (i32.add (local.get $pa) (local.get $pk))))
              (local.set $q0 (f32x4.add (local.get $q0) (f32x4.mul (local.get $x) (v128.load (i32.add (local.get $b0) (local.get $pk))))))
              (local.set $q1 (f32x4.add (local.get $q1) (f32x4.mul (local.get $x) (v128.load (i32.add (local.get $b1) (local.get $pk))))))
              (local.set $q2 (f32x4.add (local.get $q2) (f32x4.mul (local.get $x) (v128.load (i32.add (local.get $b2) (local.get $pk))))))
              (local.set $q3 (f32x4.add (local.get $q3) (f32x4.mul (local.get $x) (v128.load (i32.add (local.get $b3) (local.get $pk))))))
              (local.set $pk (i32.add (local.get $pk) (i32.const 16)))
              (br_if $k4 (i32.lt_u (local.get $pk) (local.get $pstop))))
            (local.set $s0 (f64x2.add (local.get $s0) (f64x2.add (f64x2.promote_low_f32x4 (local.get $q0))
              (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q0) (local.get $q0))))))
            (local.set $s1 (f64x2.add (local.get $s1) (f64x2.add (f64x2.promote_low_f32x4 (local.get $q1))
              (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q1) (local.get $q1))))))
            (local.set $s2 (f64x2.add (local.get $s2) (f64x2.add (f64x2.promote_low_f32x4 (local.get $q2))
              (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q2) (local.get $q2))))))
            (local.set $s3 (f64x2.add (local.get $s3) (f64x2.add (f64x2.promote_low_f32x4 (local.get $q3))
              (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q3) (local.get $q3))))))
            (br $chunk)))
        ;; the k % 4 leftovers
        (local.set $t0 (f64.add (f64x2.extract_lane 0 (local.get $s0)) (f64x2.extract_lane 1 (local.get $s0))))
        (local.set $t1 (f64.add (f64x2.extract_lane 0 (local.get $s1)) (f64x2.extract_lane 1 (local.get $s1))))
        (local.set $t2 (f64.add (f64x2.extract_lane 0 (local.get $s2)) (f64x2.extract_lane 1 (local.get $s2))))
        (local.set $t3 (f64.add (f64x2.extract_lane 0 (local.get $s3)) (f64x2.extract_lane 1 (local.get $s3))))
        (local.set $pend (i32.shl (local.get $K) (i32.const 2)))
        (block $sdone
          (loop $k1
            (br_if $sdone (i32.ge_u (local.get $pk) (local.get $pend)))
            (local.set $av (f32.load (i32.add (local.get $pa) (local.get $pk))))
            (local.set $t0 (f64.add (local.get $t0) (f64.promote_f32 (f32.mul (local.get $av) (f32.load (i32.add (local.get $b0) (local.get $pk)))))))
            (local.set $t1 (f64.add (local.get $t1) (f64.promote_f32 (f32.mul (local.get $av) (f32.load (i32.add (local.get $b1) (local.get $pk)))))))
            (local.set $t2 (f64.add (local.get $t2) (f64.promote_f32 (f32.mul (local.get $av) (f32.load (i32.add (local.get $b2) (local.get $pk)))))))
            (local.set $t3 (f64.add (local.get $t3) (f64.promote_f32 (f32.mul (local.get $av) (f32.load (i32.add (local.get $b3) (local.get $pk)))))))
            (local.set $pk (i32.add (local.get $pk) (i32.const 4)))
            (br $k1)))
        ;; C(i, j + q) += t_q for the valid columns
        (local.set $pc (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $ldc)) (local.get $j)) (i32.const 3))))
        (f64.store offset=0 (local.get $pc) (f64.add (f64.load offset=0 (local.get $pc)) (local.get $t0)))
        (if (i32.gt_u (local.get $nr) (i32.const 1))
          (then (f64.store offset=8 (local.get $pc) (f64.add (f64.load offset=8 (local.get $pc)) (local.get $t1)))))
        (if (i32.gt_u (local.get $nr) (i32.const 2))
          (then (f64.store offset=16 (local.get $pc) (f64.add (f64.load offset=16 (local.get $pc)) (local.get $t2)))))
        (if (i32.gt_u (local.get $nr) (i32.const 3))
          (then (f64.store offset=24 (local.get $pc) (f64.add (f64.load offset=24 (local.get $pc)) (local.get $t3)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $rows (i32.lt_u (local.get $i) (local.get $M))))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br_if $cols (i32.lt_u (local.get $j) (local.get $N)))))

  ;; gemv_axpy: B(k, j) at $b + 4*(k*$brs + j) (rows of B contiguous in j: x @ W with W [K, N]).
  ;; Sixteen columns at a time: per k, one A broadcast and four B vectors into four f32x4
  ;; accumulators, widened into C every 32 k. Fewer than 16 columns left: four at a time, then
  ;; one at a time in scalar float64.
  (func (export "gemv_axpy") (param $M i32) (param $N i32) (param $K i32) (param $a i32)
                             (param $b i32) (param $brs i32) (param $c i32) (param $ldc i32)
    (local $j i32) (local $i i32) (local $k i32) (local $kstop i32) (local $brsb i32) (local $w i32)
    (local $pa i32) (local $pb i32) (local $pc i32)
    (local $x v128) (local $q0 v128) (local $q1 v128) (local $q2 v128) (local $q3 v128) (local $t f64)
    (local.set $brsb (i32.shl (local.get $brs) (i32.const 2)))
    (block $done
      (loop $cols
        (br_if $done (i32.ge_u (local.get $j) (local.get $N)))
        ;; $w: the width of this column block (16, 4 or 1)
        (local.set $w (select (i32.const 16)
                              (select (i32.const 4) (i32.const 1)
                                      (i32.ge_u (i32.sub (local.get $N) (local.get $j)) (i32.const 4)))
                              (i32.ge_u (i32.sub (local.get $N) (local.get $j)) (i32.const 16))))
        (local.set $i (i32.const 0))
        (loop $rows
          (local.set $pa (i32.add (local.get $a) (i32.shl (i32.mul (local.get $i) (local.get $K)) (i32.const 2))))
          (local.set $pc (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $ldc)) (local.get $j)) (i32.const 3))))
          (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
          (local.set $k (i32.const 0))
          (if (i32.eq (local.get $w) (i32.const 1))
            (then
              (local.set $t (f64.const 0))
              (loop $k1
                (local.set $t (f64.add (local.get $t) (f64.promote_f32 (f32.mul
                  (f32.load (i32.add (local.get $pa) (i32.shl (local.get $k) (i32.const 2))))
                  (f32.load (local.get $pb))))))
                (local.set $pb (i32.add (local.get $pb) (local.get $brsb)))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br_if $k1 (i32.lt_u (local.get $k) (local.get $K))))
              (f64.store (local.get $pc) (f64.add (f64.load (local.get $pc)) (local.get $t))))
            (else
              (loop $chunk
                (local.set $kstop (select (i32.add (local.get $k) (i32.const 32)) (local.get $K)
                                          (i32.lt_u (i32.add (local.get $k) (i32.const 32)) (local.get $K))))
                (local.set $q0 (v128.const i64x2 0 0))
                (local.set $q1 (v128.const i64x2 0 0))
                (local.set $q2 (v128.const i64x2 0 0))
                (local.set $q3 (v128.const i64x2 0 0))
                (if (i32.eq (local.get $w) (i32.const 16))
                  (then
                    (loop $k16
                      (local.set $x (v128.load32_splat (i32.add (local.get $pa) (i32.shl (local.get $k) (i32.const 2)))))
                      (local.set $q0 (f32x4.add (local.get $q0) (f32x4.mul (local.get $x) (v128.load offset=0 (local.get $pb)))))
                      (local.set $q1 (f32x4.add (local.get $q1) (f32x4.mul (local.get $x) (v128.load offset=16 (local.get $pb)))))
                      (local.set $q2 (f32x4.add (local.get $q2) (f32x4.mul (local.get $x) (v128.load offset=32 (local.get $pb)))))
                      (local.set $q3 (f32x4.add (local.get $q3) (f32x4.mul (local.get $x) (v128.load offset=48 (local.get $pb)))))
                      (local.set $pb (i32.add (local.get $pb) (local.get $brsb)))
                      (local.set $k (i32.add (local.get $k) (i32.const 1)))
                      (br_if $k16 (i32.lt_u (local.get $k) (local.get $kstop))))
                    (v128.store offset=64 (local.get $pc) (f64x2.add (v128.load offset=64 (local.get $pc)) (f64x2.promote_low_f32x4 (local.get $q2))))
                    (v128.store offset=80 (local.get $pc) (f64x2.add (v128.load offset=80 (local.get $pc)) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q2) (local.get $q2)))))
                    (v128.store offset=96 (local.get $pc) (f64x2.add (v128.load offset=96 (local.get $pc)) (f64x2.promote_low_f32x4 (local.get $q3))))
                    (v128.store offset=112 (local.get $pc) (f64x2.add (v128.load offset=112 (local.get $pc)) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q3) (local.get $q3)))))
                    (v128.store offset=32 (local.get $pc) (f64x2.add (v128.load offset=32 (local.get $pc)) (f64x2.promote_low_f32x4 (local.get $q1))))
                    (v128.store offset=48 (local.get $pc) (f64x2.add (v128.load offset=48 (local.get $pc)) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q1) (local.get $q1))))))
                  (else
                    (loop $k4
                      (local.set $q0 (f32x4.add (local.get $q0) (f32x4.mul
                        (v128.load32_splat (i32.add (local.get $pa) (i32.shl (local.get $k) (i32.const 2))))
                        (v128.load (local.get $pb)))))
                      (local.set $pb (i32.add (local.get $pb) (local.get $brsb)))
                      (local.set $k (i32.add (local.get $k) (i32.const 1)))
                      (br_if $k4 (i32.lt_u (local.get $k) (local.get $kstop))))))
                (v128.store offset=0 (local.get $pc) (f64x2.add (v128.load offset=0 (local.get $pc)) (f64x2.promote_low_f32x4 (local.get $q0))))
                (v128.store offset=16 (local.get $pc) (f64x2.add (v128.load offset=16 (local.get $pc)) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q0) (local.get $q0)))))
                (br_if $chunk (i32.lt_u (local.get $k) (local.get $K))))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $rows (i32.lt_u (local.get $i) (local.get $M))))
        (local.set $j (i32.add (local.get $j) (local.get $w)))
        (br $cols))))

  ;; C (+)= A B with M, N, K >= 1. A(i, k) at $a + 4*(i*$ars + k*$acs), B(k, j) at
  ;; $b + 4*(k*$brs + j*$bcs), C(i, j) (float64) at $c + 8*(i*$ldc + j); C is accumulated into when
  ;; $acc is 1, overwritten when 0 (its old contents are never read then). With $cf32 1, C is
  ;; float32 (C(i, j) at $c + 4*(i*$ldc + j)): the caller passes it only for K <= min(KC, 64), two
  ;; chunks, so an overwriting call gets the float64 path's rounded result (see $kernel). $pA needs
  ;; 4*ceil(MC/4)*4*KC bytes, $pB 4*ceil(NC/8)*8*KC, $tile 256. MC must be a multiple of 4 and NC a
  ;; multiple of 8.
  (func (export "gemm")
    (param $M i32) (param $N i32) (param $K i32)
    (param $a i32) (param $ars i32) (param $acs i32)
    (param $b i32) (param $brs i32) (param $bcs i32)
    (param $c i32) (param $ldc i32)
    (param $pA i32) (param $pB i32) (param $tile i32)
    (param $MC i32) (param $KC i32) (param $NC i32) (param $acc i32) (param $cf32 i32)
    (local $jc i32) (local $nc i32) (local $pc i32) (local $kc i32) (local $ic i32) (local $mc i32)
    (local $jr i32) (local $nr i32) (local $ir i32) (local $mr i32) (local $cij i32) (local $ldcb i32)
    (local $pa i32) (local $pb i32) (local $csh i32)
    ;; $csh: log2 of C's element size (float64, or float32 with $cf32 1)
    (local.set $csh (select (i32.const 2) (i32.const 3) (local.get $cf32)))
    (local.set $ldcb (i32.shl (local.get $ldc) (local.get $csh)))
    (loop $Ljc
      (local.set $nc (select (local.get $NC) (i32.sub (local.get $N) (local.get $jc))
                             (i32.ge_u (i32.sub (local.get $N) (local.get $jc)) (local.get $NC))))
      (local.set $pc (i32.const 0))
      (loop $Lpc
        (local.set $kc (select (local.get $KC) (i32.sub (local.get $K) (local.get $pc))
                               (i32.ge_u (i32.sub (local.get $K) (local.get $pc)) (local.get $KC))))
        (call $packB (local.get $b) (local.get $brs) (local.get $bcs) (local.get $pc) (local.get $kc)
                     (local.get $jc) (local.get $nc) (local.get $pB))
        (local.set $ic (i32.const 0))
        (loop $Lic
          (local.set $mc (select (local.get $MC) (i32.sub (local.get $M) (local.get $ic))
                                 (i32.ge_u (i32.sub (local.get $M) (local.get $ic)) (local.get $MC))))
          (call $packA (local.get $a) (local.get $ars) (local.get $acs) (local.get $ic) (local.get $mc)
                       (local.get $pc) (local.get $kc) (local.get $pA))
          (local.set $jr (i32.const 0))
          (loop $Ljr
            (local.set $nr (select (i32.const 8) (i32.sub (local.get $nc) (local.get $jr))
                                   (i32.ge_u (i32.sub (local.get $nc) (local.get $jr)) (i32.const 8))))
            (local.set $pb (i32.add (local.get $pB) (i32.shl (i32.mul (local.get $jr) (local.get $kc)) (i32.const 2))))
            (local.set $ir (i32.const 0))
            (loop $Lir
              (local.set $mr (select (i32.const 4) (i32.sub (local.get $mc) (local.get $ir))
                                     (i32.ge_u (i32.sub (local.get $mc) (local.get $ir)) (i32.const 4))))
              (local.set $pa (i32.add (local.get $pA) (i32.shl (i32.mul (local.get $ir) (local.get $kc)) (i32.const 2))))
              (local.set $cij (i32.add (local.get $c)
                (i32.shl (i32.add (i32.mul (i32.add (local.get $ic) (local.get $ir)) (local.get $ldc))
                                  (i32.add (local.get $jc) (local.get $jr)))
                         (local.get $csh))))
              (if (i32.and (i32.eq (local.get $mr) (i32.const 4)) (i32.eq (local.get $nr) (i32.const 8)))
                (then (call $micro (local.get $kc) (local.get $pa) (local.get $pb) (local.get $cij) (local.get $ldcb)
                                    (i32.or (i32.ne (i32.or (local.get $acc) (local.get $pc)) (i32.const 0)) (i32.shl (local.get $cf32) (i32.const 1)))))
                (else (call $edge (local.get $kc) (local.get $pa) (local.get $pb) (local.get $cij) (local.get $ldcb)
                                  (local.get $mr) (local.get $nr) (local.get $tile)
                                  (i32.or (i32.ne (i32.or (local.get $acc) (local.get $pc)) (i32.const 0)) (i32.shl (local.get $cf32) (i32.const 1))))))
              (local.set $ir (i32.add (local.get $ir) (i32.const 4)))
              (br_if $Lir (i32.lt_u (local.get $ir) (local.get $mc))))
            (local.set $jr (i32.add (local.get $jr) (i32.const 8)))
            (br_if $Ljr (i32.lt_u (local.get $jr) (local.get $nc))))
          (local.set $ic (i32.add (local.get $ic) (local.get $MC)))
          (br_if $Lic (i32.lt_u (local.get $ic) (local.get $M))))
        (local.set $pc (i32.add (local.get $pc) (local.get $KC)))
        (br_if $Lpc (i32.lt_u (local.get $pc) (local.get $K))))
      (local.set $jc (i32.add (local.get $jc) (local.get $NC)))
      (br_if $Ljc (i32.lt_u (local.get $jc) (local.get $N))))))
