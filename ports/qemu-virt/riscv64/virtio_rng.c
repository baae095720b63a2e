/* Entropy on QEMU's riscv64 virt machine: virtio-rng (`-device
 * virtio-rng-device`, fed from the host's getrandom) on one of the eight
 * virtio-mmio slots at 0x10001000 + n * 0x1000 (hw/riscv/virt.c,
 * VIRT_VIRTIO; a real kernel reads them from the device tree). riscv64's
 * own entropy CSR, Zkr's `seed`, is no option under QEMU 7.2: its OpenSBI
 * 1.1 leaves mseccfg.SSEED clear, so `csrr seed` from S-mode is an illegal
 * instruction even with `-cpu rv64,zkr=true`.
 *
 * One request at a time, polled: the device-writable buffer goes into one
 * descriptor, the kernel waits for the used ring to move. Both virtio-mmio
 * versions are handled: QEMU's default (legacy, version 1) and version 2
 * (`-global virtio-mmio.force-legacy=false`). Memory is identity-mapped, so
 * addresses are physical. */
#include "os/os_board.h"

#define MMIO_BASE 0x10001000UL
#define MMIO_SLOTS 8
#define MMIO_STRIDE 0x1000UL

#define REG_MAGIC 0x000
#define REG_VERSION 0x004
#define REG_DEVICE_ID 0x008
#define REG_DRIVER_FEATURES 0x020
#define REG_GUEST_PAGE_SIZE 0x028 /* version 1 */
#define REG_QUEUE_SEL 0x030
#define REG_QUEUE_NUM_MAX 0x034
#define REG_QUEUE_NUM 0x038
#define REG_QUEUE_ALIGN 0x03c /* version 1 */
#define REG_QUEUE_PFN 0x040   /* version 1 */
#define REG_QUEUE_READY 0x044 /* version 2 */
#define REG_QUEUE_NOTIFY 0x050
#define REG_INTERRUPT_ACK 0x064
#define REG_INTERRUPT_STATUS 0x060
#define REG_STATUS 0x070
#define REG_QUEUE_DESC 0x080  /* version 2, low then high word */
#define REG_QUEUE_AVAIL 0x090 /* version 2 */
#define REG_QUEUE_USED 0x0a0  /* version 2 */

#define MAGIC 0x74726976 /* "virt" */
#define DEVICE_ENTROPY 4
#define STATUS_ACKNOWLEDGE 1
#define STATUS_DRIVER 2
#define STATUS_DRIVER_OK 4
#define STATUS_FEATURES_OK 8
#define DESC_F_WRITE 2

#define QUEUE_SIZE 4
#define PAGE 4096

struct desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

/* The legacy layout, which version 2 can use as well: descriptors and the
 * available ring in the first page, the used ring page-aligned after it. */
static struct {
    struct desc desc[QUEUE_SIZE];
    struct {
        uint16_t flags, idx, ring[QUEUE_SIZE], used_event;
    } avail;
    uint8_t pad[PAGE - QUEUE_SIZE * sizeof(struct desc) - (3 + QUEUE_SIZE) * 2];
    struct {
        uint16_t flags;
        volatile uint16_t idx;
        struct {
            uint32_t id, len;
        } ring[QUEUE_SIZE];
        uint16_t avail_event;
    } used;
} queue __attribute__((aligned(PAGE)));

static uint8_t bounce[256];
static uintptr_t device;   /* 0: not looked for yet */
static bool absent;
static uint16_t last_used;

static volatile uint32_t *reg(uintptr_t offset) {
    return (volatile uint32_t *)(device + offset);
}

static void write_pair(uintptr_t offset, uintptr_t value) {
    *reg(offset) = (uint32_t)value;
    *reg(offset + 4) = (uint32_t)((uint64_t)value >> 32);
}

static bool find_and_start(void) {
    for (uintptr_t slot = 0; slot < MMIO_SLOTS && !device; slot++) {
        volatile uint32_t *r = (volatile uint32_t *)(MMIO_BASE + slot * MMIO_STRIDE);
        if (r[REG_MAGIC / 4] == MAGIC && r[REG_DEVICE_ID / 4] == DEVICE_ENTROPY) {
            device = MMIO_BASE + slot * MMIO_STRIDE;
        }
    }
    if (!device) {
        return false;
    }
    uint32_t version = *reg(REG_VERSION);
    *reg(REG_STATUS) = 0; /* reset */
    *reg(REG_STATUS) = STATUS_ACKNOWLEDGE;
    *reg(REG_STATUS) = STATUS_ACKNOWLEDGE | STATUS_DRIVER;
    *reg(REG_DRIVER_FEATURES) = 0; /* virtio-rng has none we need */
    uint32_t status = STATUS_ACKNOWLEDGE | STATUS_DRIVER;
    if (version >= 2) {
        status |= STATUS_FEATURES_OK;
        *reg(REG_STATUS) = status;
        if (!(*reg(REG_STATUS) & STATUS_FEATURES_OK)) {
            return false;
        }
    }
    *reg(REG_QUEUE_SEL) = 0;
    if (*reg(REG_QUEUE_NUM_MAX) < QUEUE_SIZE) {
        return false;
    }
    *reg(REG_QUEUE_NUM) = QUEUE_SIZE;
    if (version == 1) {
        *reg(REG_GUEST_PAGE_SIZE) = PAGE;
        *reg(REG_QUEUE_ALIGN) = PAGE;
        *reg(REG_QUEUE_PFN) = (uint32_t)((uintptr_t)&queue / PAGE);
    } else {
        write_pair(REG_QUEUE_DESC, (uintptr_t)queue.desc);
        write_pair(REG_QUEUE_AVAIL, (uintptr_t)&queue.avail);
        write_pair(REG_QUEUE_USED, (uintptr_t)&queue.used);
        *reg(REG_QUEUE_READY) = 1;
    }
    *reg(REG_STATUS) = status | STATUS_DRIVER_OK;
    return true;
}

/* One request for up to sizeof(bounce) bytes; how many came, 0 on error. */
static uint32_t request(uint32_t want) {
    queue.desc[0] = (struct desc){(uintptr_t)bounce, want, DESC_F_WRITE, 0};
    queue.avail.ring[queue.avail.idx % QUEUE_SIZE] = 0;
    __asm__ volatile("fence rw, rw" ::: "memory");
    queue.avail.idx++;
    __asm__ volatile("fence rw, rw" ::: "memory");
    *reg(REG_QUEUE_NOTIFY) = 0;
    /* QEMU fills the buffer before the notify write returns; a real device
     * takes longer, and a kernel would sleep on its interrupt instead. */
    for (uint32_t spins = 0; queue.used.idx == last_used; spins++) {
        if (spins > 100000000u) {
            return 0;
        }
    }
    __asm__ volatile("fence rw, rw" ::: "memory");
    uint32_t got = queue.used.ring[last_used % QUEUE_SIZE].len;
    last_used++;
    *reg(REG_INTERRUPT_ACK) = *reg(REG_INTERRUPT_STATUS);
    return got <= want ? got : 0;
}

int rng_fill(uint8_t *buf, size_t len) {
    if (!device && !absent && !find_and_start()) {
        absent = true;
    }
    if (absent) {
        return -1;
    }
    while (len > 0) {
        uint32_t want = len < sizeof(bounce) ? (uint32_t)len : sizeof(bounce);
        uint32_t got = request(want);
        if (got == 0) {
            return -1;
        }
        for (uint32_t i = 0; i < got; i++) {
            *buf++ = bounce[i];
        }
        len -= got;
    }
    return 0;
}
