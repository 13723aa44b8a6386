//! Harvest's answers are outside input: any body either fails to parse with an error or gives
//! invoices whose cached form survives an encode/decode round trip unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::invoices::harvest::parse_invoices_page;
use shared::invoices::InvoiceSnapshot;

fuzz_target!(|data: &[u8]| {
    let Ok((invoices, _next)) = parse_invoices_page(data) else { return };
    let client = invoices.first().map(|i| i.client.id).unwrap_or(1);
    let snapshot = InvoiceSnapshot::from_harvest(client, "agency.harvestapp.com".into(), 0, invoices);
    let encoded = snapshot.encode().expect("encoding a snapshot");
    assert_eq!(InvoiceSnapshot::decode(&encoded), Some(snapshot));
});
