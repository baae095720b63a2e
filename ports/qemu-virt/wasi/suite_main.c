/* The kernel of the WASI testsuite boots (build.sh): runs every test of
 * its bundle (wasi/testsuite_bundle.py) through the case runner, one
 * PASS or FAIL line each, then "N passed, N failed", and powers off with
 * the verdict. No samples and no OS checks: the test images have those. */
#include "board.h"
#include "embedding.h"
#include "print.h"
#include "wasi/cases.h"
#ifdef PORT_VM
#include "vm/mmu.h"
#endif

static void on_panic(const uint8_t *message, uintptr_t len) {
    print("\nPANIC in the embedding: ");
    print_bytes(message, len);
    print("\n");
    power_off(false);
}

_Noreturn void kernel_main(void) {
    const EmbApi *api = embedding_api();
    if (api->abi_version != EMB_ABI_VERSION || !api->wasi) {
        print("FAIL setup: the embedding is not this kernel's ABI, or has no WASI\n");
        power_off(false);
    }
#ifdef PORT_VM
    if (!mmu_init()) {
        print("FAIL setup: paging\n");
        power_off(false);
    }
#endif
    api->set_panic_hook(on_panic);
    EmbEngine *engine = NULL;
    EmbError *error = api->engine_new(&engine);
    if (error) {
        print("FAIL setup: no engine\n");
        power_off(false);
    }
    size_t passed = 0, failed = 0, expected = 0;
    wasi_cases_run(api, engine, SUITE_MODE, &passed, &failed, &expected);
    print_u64(passed);
    print(" passed, ");
    print_u64(failed);
    print(" failed\n");
    power_off(failed == 0 && passed == expected);
}
