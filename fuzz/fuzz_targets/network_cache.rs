//! The network cache reader: any file gives a network, "missing" or "damaged", never a
//! panic. The first byte picks raw bytes (the header checks) or a body framed with a
//! valid header and checksum (the decoder).
#![no_main]

use libfuzzer_sys::fuzz_target;
use schoolrun::network::cache::{framed, parse};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let fp = (7, 11);
    if pick % 2 == 0 {
        let _ = parse(bytes, fp);
    } else {
        let _ = parse(&framed(fp, bytes), fp);
    }
});
