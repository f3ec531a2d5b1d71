//! A hand-made book for the print-engine tests: front matter, three chapters with
//! footnotes, kaders, a table, a figure, lists and a TOC, and a literature list.

#![allow(dead_code)]

use std::sync::Arc;

use druk::typeset::*;

pub fn t(s: &str) -> Inline {
    Inline::text(s)
}

fn par(content: Vec<Inline>, line: u32) -> Block {
    Block::Paragraph(Paragraph::new(content).with_source(Source::new("hoofdstukken/test.md", line)))
}

fn heading(level: u8, number: &str, title: &str, anchor: Option<&str>) -> Block {
    Block::Heading(Heading {
        level,
        number: Some(number.to_string()),
        title: vec![t(title)],
        anchor: anchor.map(str::to_string),
        in_toc: true,
        in_outline: true,
        source: None,
        short: None,
    })
}

fn footnote(text: &str) -> Inline {
    Inline::Footnote(Footnote {
        marker: None,
        content: vec![Block::Paragraph(Paragraph::new(vec![t(text)]))],
    })
}

/// Paragraphs of running text in Dutch.
pub const PROSE: [&str; 10] = [
    "Opvoedingsondersteuning is een bijzondere vorm van preventie. Het gaat niet om het behandelen van \
     problemen die al vastzitten, maar om het versterken van wat ouders zelf kunnen. Wie ouders tijdig \
     steunt, voorkomt dat kleine zorgen uitgroeien tot grote problemen in het gezin.",
    "In de praktijk is de coördinatie van die steun lastig. Ouders die geïnteresseerd zijn in advies, \
     vinden hun weg naar het consultatiebureau, de school of het wijkteam, maar niet altijd naar de \
     professional die hen het best kan helpen. Daarom werken de jeugdgezondheidszorg en het onderwijs \
     steeds vaker samen in één loket.",
    "Afgestudeerden van hbo-opleidingen in de sociale sector spelen daarin een belangrijke rol. Zij \
     kennen het jeugd- en gezinsbeleid van de gemeente, weten welke officiële richtlijnen er gelden en \
     kunnen effectieve programma's uitvoeren. Tegelijk blijven zij oog houden voor wat een gezin zelf \
     belangrijk vindt.",
    "Preventie wordt vaak in drie niveaus ingedeeld. Universele preventie richt zich op alle ouders, \
     selectieve preventie op groepen met een verhoogd risico en geïndiceerde preventie op gezinnen bij \
     wie de eerste signalen van problemen al zichtbaar zijn. Opvoedingsondersteuning komt op alle drie \
     de niveaus voor.",
    "Het balansmodel beschrijft opvoeden als een evenwicht tussen draagkracht en draaglast. Zolang de \
     beschermende factoren opwegen tegen de risicofactoren, redt een gezin zich. Raakt de balans \
     verstoord, dan kan lichte ondersteuning het evenwicht vaak herstellen voordat zwaardere hulp nodig is.",
    "Bronfenbrenner liet zien dat de ontwikkeling van kinderen zich afspeelt in een reeks systemen die \
     in elkaar grijpen: het gezin, de school en de buurt, maar ook het werk van de ouders en de cultuur \
     waarin het gezin leeft. Ontwikkelingsstoornissen en opvoedingsproblemen zijn daarom zelden aan één \
     oorzaak toe te schrijven.",
    "Belsky voegde daar een procesmodel aan toe. Volgens hem wordt het ouderschap bepaald door de \
     persoonlijkheid van de ouder, de kenmerken van het kind en de bronnen van steun en stress in de \
     omgeving. Een ouder met veel steun kan een moeilijk temperament van een kind beter opvangen.",
    "Voor de professional betekent dit dat een goede analyse altijd breder kijkt dan het gedrag van \
     het kind alleen. Welke steun heeft de ouder? Hoe verloopt de samenwerking met de school? Welke \
     rol spelen grootouders, buren en vrienden? Pas met dat beeld kan een passend plan worden gemaakt.",
    "Methodisch werken vraagt om heldere doelen. Een doel als 'het gaat beter met het gezin' is te vaag \
     om te evalueren. Beter is een doel dat beschrijft wat er over enkele weken anders moet zijn, zodat \
     ouder en professional samen kunnen nagaan of de aanpak werkt.",
    "Ten slotte is de beroepshouding van de opvoedingsondersteuner van groot belang. Ouders zijn de \
     deskundigen van hun eigen kind. Een professional die dat respecteert, sluit aan bij hun vragen, \
     benoemt wat goed gaat en biedt informatie aan zonder te oordelen.",
];

/// A small PNG (RGB, 8 bit) drawn in code: a grey frame with a teal bar.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let mut raw = Vec::with_capacity(((width * 3 + 1) * height) as usize);
    for y in 0..height {
        raw.push(0); // filter: none
        for x in 0..width {
            let border = x < 4 || y < 4 || x >= width - 4 || y >= height - 4;
            let bar = y > height / 3 && y < height * 2 / 3 && x > width / 6 && x < width * 5 / 6;
            let px = if border {
                [90, 90, 90]
            } else if bar {
                [31, 111, 120]
            } else {
                [255, 255, 255]
            };
            raw.extend_from_slice(&px);
        }
    }
    // zlib stream with stored (uncompressed) deflate blocks.
    let mut z = vec![0x78, 0x01];
    let chunks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, c) in chunks.iter().enumerate() {
        z.push(u8::from(i + 1 == chunks.len()));
        let len = c.len() as u16;
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&(!len).to_le_bytes());
        z.extend_from_slice(c);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in &raw {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    z.extend_from_slice(&((b << 16) | a).to_be_bytes());

    fn crc(data: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for &d in data {
            c ^= u32::from(d);
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc(&body).to_be_bytes());
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}

fn opening(number: Option<&str>, title: &str, anchor: &str, in_toc: bool) -> Opening {
    Opening {
        number: number.map(str::to_string),
        title: vec![t(title)],
        author: None,
        anchor: Some(anchor.to_string()),
        in_toc,
        in_outline: true,
        short: None,
    }
}

fn bullets(items: &[&str]) -> Block {
    Block::List(List {
        marker: ListMarker::Bullet("■".into()),
        items: items
            .iter()
            .map(|s| vec![Block::Paragraph(Paragraph::new(vec![t(s)]))])
            .collect(),
    })
}

/// The chapters of the sample book.
fn chapter(n: usize) -> Chapter {
    let num = n.to_string();
    let mut blocks = Vec::new();
    let sec = |k: usize| format!("{n}.{k}");
    blocks.push(heading(
        2,
        &sec(1),
        "Inleiding",
        Some(&format!("sec-{n}-1")),
    ));
    blocks.push(par(vec![t(PROSE[(n) % 10])], 3));
    blocks.push(par(
        vec![
            t(PROSE[(n + 1) % 10]),
            footnote(
                "Zie voor de cijfers de jaarlijkse monitor van het kenniscentrum; de \
            definities verschillen per gemeente, zodat vergelijken lastig is.",
            ),
        ],
        5,
    ));
    blocks.push(par(vec![t(PROSE[(n + 2) % 10])], 7));
    blocks.push(heading(
        2,
        &sec(2),
        "Wat is opvoedingsondersteuning?",
        Some(&format!("sec-{n}-2")),
    ));
    blocks.push(par(vec![t(PROSE[(n + 3) % 10])], 9));
    blocks.push(bullets(&[
        "voorlichting aan alle ouders, bijvoorbeeld in een oudercursus of op een website;",
        "advies en korte begeleiding bij concrete vragen over slapen, eten en grenzen stellen;",
        "intensieve ondersteuning thuis wanneer de opvoeding vastloopt.",
    ]));
    blocks.push(par(
        vec![
            t(PROSE[(n + 4) % 10]),
            footnote(
                "Het model gaat terug op het werk van Bakker en collega's in de jaren negentig.",
            ),
            t(" Meer hierover staat in paragraaf "),
            Inline::Link {
                target: Target::Anchor("sec-1-3".into()),
                content: vec![t("1.3")],
            },
            t(", zie pagina "),
            Inline::PageRef("sec-1-3".into()),
            t("."),
        ],
        11,
    ));
    blocks.push(Block::Kader(Kader {
        label: Some(format!("Kader {n}.1")),
        title: vec![t("Opgevoed in de wijk")],
        anchor: Some(format!("kader-{n}")),
        // The kader of chapter 2 is long enough to break across a page.
        blocks: (0..if n == 2 { 9 } else { 4 })
            .map(|k| par(vec![t(PROSE[(n + 5 + k) % 10])], 20 + k as u32))
            .collect(),
        fill: None,
        source: None,
    }));
    blocks.push(heading(
        2,
        &sec(3),
        "Preventie in drie niveaus",
        Some(&format!("sec-{n}-3")),
    ));
    blocks.push(par(vec![t(PROSE[3])], 30));
    if n == 1 {
        blocks.push(Block::Table(Table {
            columns: vec![Align::Left, Align::Left, Align::Left],
            header: vec![
                vec![t("Niveau")],
                vec![t("Doelgroep")],
                vec![t("Voorbeeld")],
            ],
            rows: vec![
                vec![
                    vec![t("Universeel")],
                    vec![t("Alle ouders")],
                    vec![t("Voorlichting en oudercursussen")],
                ],
                vec![
                    vec![t("Selectief")],
                    vec![t("Ouders met een verhoogd risico")],
                    vec![t("Huisbezoeken")],
                ],
                vec![
                    vec![t("Geïndiceerd")],
                    vec![t("Gezinnen met eerste signalen")],
                    vec![
                        t("Video-feedback"),
                        footnote("Ook wel video-hometraining genoemd."),
                    ],
                ],
            ],
            caption: Some(Caption {
                label: Some("Tabel 1.1".into()),
                text: vec![t("Drie niveaus van preventie")],
            }),
            continued: Some("(vervolg)".into()),
            anchor: Some("tbl-preventie".into()),
            source: None,
        }));
    }
    blocks.push(heading(
        3,
        &format!("{n}.3.1"),
        "Universele preventie",
        None,
    ));
    blocks.push(par(
        vec![
            t(PROSE[(n + 5) % 10]),
            footnote("Universeel betekent hier: zonder selectie vooraf."),
        ],
        33,
    ));
    blocks.push(par(vec![t(PROSE[(n + 6) % 10])], 35));
    if n == 3 {
        blocks.push(Block::Figure(Figure {
            image: Arc::from(png(960, 540)),
            caption: Some(Caption {
                label: Some("Figuur 3.1".into()),
                text: vec![t("Het balansmodel")],
            }),
            anchor: Some("fig-balans".into()),
            width: Some(0.8),
            width_pt: None,
            source: None,
        }));
    }
    blocks.push(heading(
        3,
        &format!("{n}.3.2"),
        "Selectieve en geïndiceerde preventie",
        None,
    ));
    for k in 0..5 {
        blocks.push(par(vec![t(PROSE[(n + k + 7) % 10])], 40 + k as u32));
    }
    blocks.push(Block::Heading(Heading {
        level: 2,
        number: None,
        title: vec![t("Samenvatting")],
        anchor: None,
        in_toc: true,
        in_outline: true,
        source: None,
        short: None,
    }));
    blocks.push(par(vec![t(PROSE[(n + 9) % 10])], 60));
    Chapter {
        matter: Matter::Main,
        start: Start::Recto,
        opening: Some(Opening {
            author: if n == 3 {
                Some("Fatima El Amrani".into())
            } else {
                None
            },
            ..opening(
                Some(&num),
                [
                    "",
                    "Opvoedingsondersteuning en preventie",
                    "Het werkveld in deze tijd",
                    "Theoretische onderbouwing",
                ][n],
                &format!("sec-ch{n}"),
                true,
            )
        }),
        running_head: None,
        folios: true,
        blocks,
    }
}

pub fn sample_book() -> Flow {
    let style = PageStyle::default();
    let title_look = Look::new(Family::Heading, 24.0, 30.0).bold();
    let sub_look = Look::new(Family::Heading, 13.0, 18.0);
    let mut chapters = vec![
        Chapter {
            matter: Matter::Front,
            start: Start::Recto,
            opening: None,
            running_head: None,
            folios: false,
            blocks: vec![
                Block::Space(120.0),
                Block::Paragraph(
                    Paragraph::new(vec![t(
                        "Opvoedingsondersteuning als bijzondere vorm van preventie",
                    )])
                    .align(Align::Center)
                    .look(title_look),
                ),
                Block::Space(12.0),
                Block::Paragraph(
                    Paragraph::new(vec![t("Een inleiding voor het hbo")])
                        .align(Align::Center)
                        .look(sub_look),
                ),
                Block::Fill,
                Block::Paragraph(
                    Paragraph::new(vec![t("Marieke van Dalen en Hans Verbeek")])
                        .align(Align::Center),
                ),
            ],
        },
        Chapter {
            matter: Matter::Front,
            start: Start::NextPage,
            opening: None,
            running_head: None,
            folios: false,
            blocks: vec![
                Block::Fill,
                Block::Paragraph(
                    Paragraph::new(vec![t("Zevende druk, 2026")])
                        .look(style.small.clone())
                        .align(Align::Left),
                ),
                Block::Paragraph(
                    Paragraph::new(vec![t("ISBN 978-90-0000-000-5")])
                        .look(style.small.clone())
                        .align(Align::Left),
                ),
                Block::Paragraph(
                    Paragraph::new(vec![t("Uitgeverij Voorbeeld")])
                        .look(style.small.clone())
                        .align(Align::Left),
                ),
            ],
        },
        Chapter {
            matter: Matter::Front,
            start: Start::Recto,
            opening: Some(opening(None, "Inhoudsopgave", "inhoud", false)),
            running_head: None,
            folios: true,
            blocks: vec![Block::Toc(Toc { depth: 2 })],
        },
        Chapter {
            matter: Matter::Front,
            start: Start::Recto,
            opening: Some(opening(None, "Voorwoord", "voorwoord", true)),
            running_head: None,
            folios: true,
            blocks: vec![par(vec![t(PROSE[0])], 1), par(vec![t(PROSE[9])], 2)],
        },
    ];
    for n in 1..=3 {
        chapters.push(chapter(n));
    }
    chapters.push(Chapter {
        matter: Matter::Back,
        start: Start::Recto,
        opening: Some(opening(None, "Literatuur", "literatuur", true)),
        running_head: None,
        folios: true,
        blocks: vec![
            par(
                vec![
                    t("Belsky, J. (1984). "),
                    Inline::Emph(vec![t("The determinants of parenting: A process model.")]),
                    t(" Child Development, 55(1), 83–96."),
                ],
                1,
            ),
            par(
                vec![
                    t("Bronfenbrenner, U. (1979). "),
                    Inline::Emph(vec![t("The ecology of human development.")]),
                    t(" Harvard University Press."),
                ],
                2,
            ),
        ],
    });
    Flow { style, chapters }
}

/// A long book for timing: `chapters` chapters of eight sections each, about fifteen
/// pages per chapter.
pub fn long_book(chapters: usize) -> Flow {
    let mut flow = sample_book();
    flow.chapters.truncate(4);
    for n in 1..=chapters {
        let mut ch = chapter(1 + (n - 1) % 3);
        if let Some(o) = ch.opening.as_mut() {
            o.number = Some(n.to_string());
            o.anchor = Some(format!("long-ch-{n}"));
        }
        let mut blocks = Vec::new();
        for s in 1..=8 {
            blocks.push(heading(
                2,
                &format!("{n}.{s}"),
                "Een paragraaf over opvoeding en preventie",
                None,
            ));
            for k in 0..7 {
                let mut content = vec![t(PROSE[(n + s + k) % 10])];
                if k == 3 {
                    content.push(footnote(
                        "Een voetnoot met een korte toelichting bij de tekst.",
                    ));
                }
                blocks.push(par(content, (s * 10 + k) as u32));
            }
            if s % 3 == 0 {
                blocks.push(bullets(&["een eerste punt in de lijst;", "een tweede, iets langer punt dat over twee regels kan lopen als het tekstblok smal is;"]));
            }
            if s % 4 == 1 {
                blocks.push(Block::Kader(Kader {
                    label: Some(format!("Kader {n}.{s}")),
                    title: vec![t("Uit de praktijk")],
                    anchor: None,
                    blocks: (0..3)
                        .map(|k| par(vec![t(PROSE[(n + k) % 10])], 90))
                        .collect(),
                    fill: None,
                    source: None,
                }));
            }
        }
        ch.blocks = blocks;
        flow.chapters.push(ch);
    }
    flow
}
