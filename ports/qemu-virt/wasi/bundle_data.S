/* The program bundle made by wasi/bundle.py, whose path build.sh passes
 * as WASI_BUNDLE_PATH; 16-aligned so that its blobs are too. */
    .section .rodata.wasi_bundle, "a"
    .balign 16
    .global wasi_bundle
wasi_bundle:
    .incbin WASI_BUNDLE_PATH
    .global wasi_bundle_end
wasi_bundle_end:
