//! `druk new DIR`: a small book that builds as it is, to start from.

use std::path::Path;

const BOOK_YAML: &str = r#"title: Mijn boek
subtitle: Een voorbeeld om mee te beginnen
authors: [Voornaam Achternaam]
language: nl
edition: 1
publisher: Eigen beheer
year: 2026
front: [voorwoord.md]
chapters:
  - hoofdstukken/01-eerste-hoofdstuk.md
  - hoofdstukken/02-tweede-hoofdstuk.md
"#;

const VOORWOORD: &str = r#"# Voorwoord

Dit is het voorwoord. Voorwerk krijgt geen nummer.
"#;

const CH1: &str = r#"# Eerste hoofdstuk {#sec-eerste}

## Inleiding

Een paragraaf krijgt vanzelf een nummer. Verwijs met een label: @sec-tweede-kern,
of schrijf het nummer uit, zoals paragraaf 2.2.

::: {.kader #kader-voorbeeld title="Een kader"}
Een kader met een label krijgt een nummer per hoofdstuk.
:::

## Samenvatting {-}

- Koppen met `{-}` blijven ongenummerd.
- Zie @kader-voorbeeld voor een kader.
"#;

const CH2: &str = r#"# Tweede hoofdstuk {#sec-tweede}

## Inleiding

Dit hoofdstuk begint, zoals elk hoofdstuk, op een rechterpagina.[^1]

[^1]: Een voetnoot staat onder aan de pagina.

## De kern {#sec-tweede-kern}

| Begrip | Betekenis |
|---|---|
| Label | Een vaste naam voor een kop, figuur, tabel of kader |
: Begrippen {#tbl-begrippen}

In @tbl-begrippen staat wat een label is.
"#;

/// Writes the starter book; refuses a folder that already has files in it.
pub fn create(dir: &Path) -> Result<(), String> {
    if dir.exists()
        && std::fs::read_dir(dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        return Err(format!("{} already exists and is not empty", dir.display()));
    }
    let files = [
        ("book.yaml", BOOK_YAML),
        ("voorwoord.md", VOORWOORD),
        ("hoofdstukken/01-eerste-hoofdstuk.md", CH1),
        ("hoofdstukken/02-tweede-hoofdstuk.md", CH2),
    ];
    for (name, text) in files {
        let p = dir.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&p, text).map_err(|e| format!("cannot write {}: {e}", p.display()))?;
    }
    std::fs::create_dir_all(dir.join("afbeeldingen")).map_err(|e| e.to_string())?;
    Ok(())
}
