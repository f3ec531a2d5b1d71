//! `book.yaml` as strict serde types: an unknown key is an error, never ignored.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookYaml {
    pub title: String,
    #[serde(default)]
    pub subtitle: Option<String>,
    #[serde(default)]
    pub authors: Vec<String>,
    #[serde(default)]
    pub language: Option<String>,
    /// Wider than the range druk accepts, so that an out-of-range number gets a message
    /// that names the range instead of serde's "expected u32".
    #[serde(default)]
    pub edition: Option<i64>,
    #[serde(default)]
    pub publisher: Option<String>,
    #[serde(default)]
    pub year: Option<i64>,
    #[serde(default)]
    pub isbn: Option<IsbnYaml>,
    #[serde(default)]
    pub front: Vec<String>,
    pub chapters: Vec<ChapterEntry>,
    #[serde(default)]
    pub back: Vec<String>,
    #[serde(default)]
    pub bibliography: Option<OneOrMany>,
    /// Pandoc's `nocite`: keys listed in the references without being cited (`"@*"` for all).
    #[serde(default)]
    pub nocite: Option<OneOrMany>,
    #[serde(default)]
    pub print: Option<PrintYaml>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IsbnYaml {
    #[serde(default)]
    pub print: Option<String>,
    #[serde(default)]
    pub epub: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrintYaml {
    #[serde(default)]
    pub trim: Option<String>,
    #[serde(default)]
    pub bleed: Option<String>,
    #[serde(default)]
    pub marks: Option<bool>,
    #[serde(default)]
    pub signature: Option<i64>,
}

/// A chapter is a plain path or `{file, author}`.
#[derive(Debug)]
pub struct ChapterEntry {
    pub file: String,
    pub author: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChapterMap {
    file: String,
    #[serde(default)]
    author: Option<String>,
}

/// Hand-written instead of `#[serde(untagged)]`: untagged enums swallow the inner error
/// (and its line), and would let a misspelt key such as `auteur:` through.
impl<'de> Deserialize<'de> for ChapterEntry {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = ChapterEntry;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a chapter file path or a map with `file` and `author`")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ChapterEntry, E> {
                Ok(ChapterEntry {
                    file: v.to_string(),
                    author: None,
                })
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<ChapterEntry, A::Error> {
                let m = ChapterMap::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(ChapterEntry {
                    file: m.file,
                    author: m.author,
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// `bibliography:` takes one file or a list, as in Pandoc.
#[derive(Debug)]
pub struct OneOrMany(pub Vec<String>);

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a file path or a list of file paths")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany(vec![v.to_string()]))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<OneOrMany, A::Error> {
                let mut v = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    v.push(s);
                }
                Ok(OneOrMany(v))
            }
        }
        d.deserialize_any(V)
    }
}
