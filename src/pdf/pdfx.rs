//! Document metadata: the XMP packet for both editions, and for print the PDF/X-4
//! identification and OutputIntent (ISO 15930-7).
//!
//! The Info dictionary gets `GTS_PDFXVersion (PDF/X-4)` and `/Trapped /False` (see
//! `catalog`); the catalog an `/OutputIntents`
//! entry whose `/DestOutputProfile` is the embedded FOGRA39 profile and a `/Metadata`
//! stream whose dates, title and trapping agree with the Info dictionary, as PDF/X
//! preflight checks. The packet is left uncompressed so that tools can find it.

use std::sync::OnceLock;

use lopdf::{Dictionary, Object, Stream, StringFormat};

use super::PdfOptions;
use super::colour;

/// The XMP packet for a document. `print` adds the PDF/X identification; `instance` is a
/// hash of the content, so the InstanceID changes with every change of the pages while
/// the DocumentID (from the title, identifier and edition) stays.
pub(crate) fn xmp(opts: &PdfOptions, print: bool, instance: &[u8]) -> String {
    let date = crate::time::Stamp::from_epoch(opts.timestamp).iso();
    let edition = if print { "print" } else { "screen" };
    let doc_key = format!(
        "druk:{}:{}:{edition}",
        opts.identifier.as_deref().unwrap_or(""),
        opts.title
    );
    let document_id = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, doc_key.as_bytes());
    let mut inst_key = doc_key.into_bytes();
    inst_key.extend_from_slice(instance);
    let instance_id = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, &inst_key);
    let e = crate::xml::escape;
    let mut x = String::new();
    x.push_str("<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n");
    x.push_str("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n");
    x.push_str(" <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n");
    x.push_str("  <rdf:Description rdf:about=\"\"\n");
    x.push_str("    xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n");
    x.push_str("    xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n");
    x.push_str("    xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\"\n");
    x.push_str("    xmlns:xmpMM=\"http://ns.adobe.com/xap/1.0/mm/\"");
    if print {
        x.push_str("\n    xmlns:pdfx=\"http://ns.adobe.com/pdfx/1.3/\"");
        x.push_str("\n    xmlns:pdfxid=\"http://www.npes.org/pdfx/ns/id/\"");
    }
    x.push_str(">\n");
    x.push_str("   <dc:format>application/pdf</dc:format>\n");
    x.push_str(&format!(
        "   <dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:title>\n",
        e(&opts.title)
    ));
    let creators: Vec<&str> = opts.author.split(", ").filter(|a| !a.is_empty()).collect();
    if !creators.is_empty() {
        x.push_str("   <dc:creator><rdf:Seq>");
        for c in creators {
            x.push_str(&format!("<rdf:li>{}</rdf:li>", e(c)));
        }
        x.push_str("</rdf:Seq></dc:creator>\n");
    }
    if !opts.subject.is_empty() {
        x.push_str(&format!(
            "   <dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:description>\n",
            e(&opts.subject)
        ));
    }
    if !opts.keywords.is_empty() {
        x.push_str("   <dc:subject><rdf:Bag>");
        for k in &opts.keywords {
            x.push_str(&format!("<rdf:li>{}</rdf:li>", e(k)));
        }
        x.push_str("</rdf:Bag></dc:subject>\n");
        x.push_str(&format!(
            "   <pdf:Keywords>{}</pdf:Keywords>\n",
            e(&opts.keywords.join(", "))
        ));
    }
    if let Some(lang) = &opts.lang {
        x.push_str(&format!(
            "   <dc:language><rdf:Bag><rdf:li>{}</rdf:li></rdf:Bag></dc:language>\n",
            e(lang)
        ));
    }
    if let Some(id) = &opts.identifier {
        x.push_str(&format!("   <dc:identifier>{}</dc:identifier>\n", e(id)));
    }
    for key in ["CreateDate", "ModifyDate", "MetadataDate"] {
        x.push_str(&format!("   <xmp:{key}>{date}</xmp:{key}>\n"));
    }
    x.push_str(&format!(
        "   <xmp:CreatorTool>{}</xmp:CreatorTool>\n",
        e(creator(opts))
    ));
    x.push_str(&format!(
        "   <pdf:Producer>{}</pdf:Producer>\n",
        e(PRODUCER)
    ));
    x.push_str("   <pdf:Trapped>False</pdf:Trapped>\n");
    x.push_str(&format!(
        "   <xmpMM:DocumentID>uuid:{document_id}</xmpMM:DocumentID>\n"
    ));
    x.push_str(&format!(
        "   <xmpMM:InstanceID>uuid:{instance_id}</xmpMM:InstanceID>\n"
    ));
    x.push_str("   <xmpMM:VersionID>1</xmpMM:VersionID>\n");
    x.push_str("   <xmpMM:RenditionClass>default</xmpMM:RenditionClass>\n");
    if print {
        x.push_str("   <pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>\n");
        x.push_str("   <pdfx:GTS_PDFXVersion>PDF/X-4</pdfx:GTS_PDFXVersion>\n");
    }
    x.push_str("  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n");
    // Padding lets an editor update the packet in place, as XMP recommends.
    for _ in 0..20 {
        x.push_str(&" ".repeat(99));
        x.push('\n');
    }
    x.push_str("<?xpacket end=\"w\"?>");
    x
}

/// What the Info dictionary and the XMP name as the producer.
pub(crate) const PRODUCER: &str = "druk (lopdf 0.44)";

pub(crate) fn creator(opts: &PdfOptions) -> &str {
    if opts.creator.is_empty() {
        "druk"
    } else {
        &opts.creator
    }
}

/// The XMP packet as a metadata stream, for the catalog's `/Metadata`.
pub(crate) fn metadata(lo: &mut lopdf::Document, packet: String) -> lopdf::ObjectId {
    let mut d = Dictionary::new();
    d.set("Type", Object::Name(b"Metadata".to_vec()));
    d.set("Subtype", Object::Name(b"XML".to_vec()));
    lo.add_object(Object::Stream(Stream::new(d, packet.into_bytes())))
}

/// The output intent profile, compressed. It is a megabyte: compressed once per process,
/// not once per PDF.
pub(crate) fn packed_profile() -> &'static Vec<u8> {
    static PACKED: OnceLock<Vec<u8>> = OnceLock::new();
    PACKED.get_or_init(|| super::deflate(colour::OUTPUT_PROFILE))
}

/// The catalog's `/OutputIntents`: the PDF/X-4 OutputIntent with the embedded profile.
pub(crate) fn output_intents(lo: &mut lopdf::Document) -> Object {
    let packed = packed_profile();
    let mut icc = Dictionary::new();
    icc.set("N", Object::Integer(4));
    icc.set("Alternate", Object::Name(b"DeviceCMYK".to_vec()));
    icc.set("Filter", Object::Name(b"FlateDecode".to_vec()));
    let profile = lo.add_object(Object::Stream(Stream::new(icc, packed.clone())));
    let lit = |s: &str| Object::String(s.as_bytes().to_vec(), StringFormat::Literal);
    let mut oi = Dictionary::new();
    oi.set("Type", Object::Name(b"OutputIntent".to_vec()));
    oi.set("S", Object::Name(b"GTS_PDFX".to_vec()));
    oi.set(
        "OutputConditionIdentifier",
        lit(colour::OUTPUT_CONDITION_IDENTIFIER),
    );
    oi.set("OutputCondition", lit(colour::OUTPUT_CONDITION));
    oi.set("RegistryName", lit(colour::REGISTRY));
    oi.set("Info", lit(colour::OUTPUT_PROFILE_NAME));
    oi.set("DestOutputProfile", Object::Reference(profile));
    Object::Array(vec![Object::Dictionary(oi)])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> PdfOptions {
        PdfOptions {
            title: "Opvoeden & <preventie>".into(),
            author: "Marieke van Dalen, Hans Verbeek".into(),
            subject: "Een inleiding".into(),
            timestamp: 1_767_225_600,
            lang: Some("nl-NL".into()),
            identifier: Some("urn:isbn:9789000000005".into()),
            ..Default::default()
        }
    }

    #[test]
    fn the_packet_is_xml_with_iso_dates() {
        let x = xmp(&opts(), true, b"abc");
        let doc = roxmltree::Document::parse(&x).expect("well-formed XMP");
        let text = |name: &str| {
            doc.descendants()
                .find(|n| n.tag_name().name() == name)
                .and_then(|n| n.text())
                .map(str::to_string)
        };
        assert_eq!(text("CreateDate").as_deref(), Some("2026-01-01T00:00:00Z"));
        assert_eq!(text("ModifyDate").as_deref(), Some("2026-01-01T00:00:00Z"));
        assert_eq!(text("GTS_PDFXVersion").as_deref(), Some("PDF/X-4"));
        assert_eq!(text("Trapped").as_deref(), Some("False"));
        assert!(x.contains("Opvoeden &amp; &lt;preventie&gt;"));
        assert!(x.contains("<rdf:li>Hans Verbeek</rdf:li>"));
        assert!(x.contains("<rdf:li>nl-NL</rdf:li>"));
    }

    #[test]
    fn ids_are_stable_and_the_instance_follows_the_content() {
        let a = xmp(&opts(), true, b"abc");
        assert_eq!(a, xmp(&opts(), true, b"abc"));
        let id = |x: &str, tag: &str| {
            x.split(&format!("<xmpMM:{tag}>"))
                .nth(1)
                .and_then(|r| r.split('<').next())
                .unwrap()
                .to_string()
        };
        let b = xmp(&opts(), true, b"abd");
        assert_eq!(id(&a, "DocumentID"), id(&b, "DocumentID"));
        assert_ne!(id(&a, "InstanceID"), id(&b, "InstanceID"));
        let screen = xmp(&opts(), false, b"abc");
        assert!(!screen.contains("GTS_PDFXVersion"));
        assert_ne!(id(&a, "DocumentID"), id(&screen, "DocumentID"));
    }
}
