//! Memory images: `wasmtime_memory_image_new`, `_map_at`, `_free`.
//!
//! An image may legitimately not exist (NULL from `_new`): Wasmtime then
//! copies data segments instead, so every rule passes with a note.

use super::hooks::{Access, Libs, PROT_NONE, Vm, signal_name, system_page_size};
use super::{Feature, Pass, Rule};
use anyhow::{Result, bail, ensure};
use std::ffi::c_void;

const VM: &[Feature] = &[Feature::VirtualMemory];

pub const RULES: &[Rule] = &[
    Rule {
        id: "image-contents",
        hook: "wasmtime_memory_image_map_at",
        text: "a mapping shows the image's contents, and only the mapped range changes",
        needs: VM,
        probe: contents,
    },
    Rule {
        id: "image-copies",
        hook: "wasmtime_memory_image_new",
        text: "keeps its own copy (the source buffer may change afterwards)",
        needs: VM,
        probe: copies,
    },
    Rule {
        id: "image-private",
        hook: "wasmtime_memory_image_map_at",
        text: "writes stay private to the mapping (the image and other mappings unchanged)",
        needs: VM,
        probe: private,
    },
    Rule {
        id: "image-free",
        hook: "wasmtime_memory_image_free",
        text: "mappings stay valid after the image is freed",
        needs: VM,
        probe: free,
    },
];

const NO_IMAGE: &str = "no image support: Wasmtime copies instead";
const IMAGE_PAGES: usize = 3;

struct Images {
    new: unsafe extern "C" fn(*const u8, usize, *mut *mut c_void) -> i32,
    map_at: unsafe extern "C" fn(*mut c_void, *mut u8, usize) -> i32,
    free: unsafe extern "C" fn(*mut c_void),
    vm: Vm,
}

/// Page `i` of the image is filled with `i + 1`, so a wrong page or a wrong
/// offset is visible.
fn source() -> Vec<u8> {
    let page = system_page_size();
    (0..IMAGE_PAGES * page)
        .map(|i| (i / page + 1) as u8)
        .collect()
}

impl Images {
    fn load(libs: &Libs) -> Result<Images> {
        Ok(Images {
            new: libs.sym("wasmtime_memory_image_new")?,
            map_at: libs.sym("wasmtime_memory_image_map_at")?,
            free: libs.sym("wasmtime_memory_image_free")?,
            vm: Vm::load(libs)?,
        })
    }

    /// An image of `data` (copied to page-aligned memory first, as the
    /// contract promises), or `None` if the platform has no images.
    fn create(&self, data: &[u8]) -> Result<Option<*mut c_void>> {
        let aligned = self.vm.mmap_new(data.len(), super::hooks::PROT_RW)?;
        // SAFETY: `aligned` holds `data.len()` writable bytes.
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), aligned, data.len()) };
        let mut image = std::ptr::null_mut();
        // SAFETY: page-aligned pointer and length, valid out-pointer.
        let code = unsafe { (self.new)(aligned, data.len(), &mut image) };
        ensure!(code == 0, "wasmtime_memory_image_new returned error {code}");
        // The contract lets the source go away after the call.
        fill(aligned, data.len(), 0xee);
        Ok((!image.is_null()).then_some(image))
    }

    /// A PROT_NONE region of `pages` pages with the image mapped at page
    /// `at`, as Wasmtime maps an image into a linear memory's reservation.
    fn map(&self, image: *mut c_void, pages: usize, at: usize) -> Result<*mut u8> {
        let page = system_page_size();
        let region = self.vm.mmap_new(pages * page, PROT_NONE)?;
        // SAFETY: inside the region just mapped.
        let addr = unsafe { region.add(at * page) };
        // SAFETY: a live image; a page-aligned range inside a mapping.
        let code = unsafe { (self.map_at)(image, addr, IMAGE_PAGES * page) };
        ensure!(
            code == 0,
            "wasmtime_memory_image_map_at returned error {code}"
        );
        Ok(addr)
    }
}

fn fill(ptr: *mut u8, len: usize, value: u8) {
    // SAFETY: callers pass writable memory.
    unsafe { std::ptr::write_bytes(ptr, value, len) };
}

/// Compares a mapping with the image's original contents.
fn expect_contents(access: &Access, addr: *const u8, what: &str) -> Result<()> {
    let expected = source();
    if let Err(sig) = access.read(addr) {
        bail!("{what}: reading it faults with {}", signal_name(sig));
    }
    // SAFETY: the mapping is IMAGE_PAGES pages, readable (just probed).
    let seen = unsafe { std::slice::from_raw_parts(addr, expected.len()) };
    if let Some(at) = seen.iter().zip(&expected).position(|(a, b)| a != b) {
        bail!(
            "{what}: byte {at} is {:#x}, the image has {:#x}",
            seen[at],
            expected[at]
        );
    }
    Ok(())
}

fn contents(libs: &Libs) -> Result<Pass> {
    let (images, access) = (Images::load(libs)?, Access::install(libs)?);
    let Some(image) = images.create(&source())? else {
        return Ok(Some(NO_IMAGE.into()));
    };
    let page = system_page_size();
    let addr = images.map(image, IMAGE_PAGES + 2, 1)?;
    expect_contents(&access, addr, "the mapping")?;
    // SAFETY: the pages just before and after, inside the region.
    let (before, after) = unsafe { (addr.sub(page), addr.add(IMAGE_PAGES * page)) };
    for (name, p) in [("before", before), ("after", after)] {
        ensure!(
            access.read(p).is_err(),
            "the PROT_NONE page {name} the mapping became readable"
        );
    }
    Ok(None)
}

fn copies(libs: &Libs) -> Result<Pass> {
    let (images, access) = (Images::load(libs)?, Access::install(libs)?);
    // `Images::create` overwrites its source after the call.
    let Some(image) = images.create(&source())? else {
        return Ok(Some(NO_IMAGE.into()));
    };
    let addr = images.map(image, IMAGE_PAGES, 0)?;
    expect_contents(&access, addr, "a mapping made after the source changed")?;
    Ok(None)
}

fn private(libs: &Libs) -> Result<Pass> {
    let (images, access) = (Images::load(libs)?, Access::install(libs)?);
    let Some(image) = images.create(&source())? else {
        return Ok(Some(NO_IMAGE.into()));
    };
    let len = IMAGE_PAGES * system_page_size();
    let first = images.map(image, IMAGE_PAGES, 0)?;
    let second = images.map(image, IMAGE_PAGES, 0)?;
    if let Err(sig) = access.write(first, 0) {
        bail!("writing to a mapping faults with {}", signal_name(sig));
    }
    fill(first, len, 0xcc);
    expect_contents(
        &access,
        second,
        "a second mapping, after writes to the first",
    )?;
    let third = images.map(image, IMAGE_PAGES, 0)?;
    expect_contents(&access, third, "a new mapping, after writes to the first")?;
    // SAFETY: `first` is `len` readable bytes.
    let kept = unsafe { std::slice::from_raw_parts(first, len) };
    ensure!(
        kept.iter().all(|&b| b == 0xcc),
        "the first mapping lost its own writes"
    );
    Ok(None)
}

fn free(libs: &Libs) -> Result<Pass> {
    let (images, access) = (Images::load(libs)?, Access::install(libs)?);
    let Some(image) = images.create(&source())? else {
        return Ok(Some(NO_IMAGE.into()));
    };
    let addr = images.map(image, IMAGE_PAGES, 0)?;
    // SAFETY: a live image, freed once.
    unsafe { (images.free)(image) };
    expect_contents(&access, addr, "a mapping, after the image was freed")?;
    if let Err(sig) = access.write(addr, 9) {
        bail!(
            "writing to a mapping after the free faults with {}",
            signal_name(sig)
        );
    }
    // A second image must be unaffected by the first one's release.
    let Some(other) = images.create(&source())? else {
        bail!("a second image came back NULL after the first was freed");
    };
    let addr = images.map(other, IMAGE_PAGES, 0)?;
    expect_contents(&access, addr, "a mapping of a second image")?;
    Ok(None)
}
