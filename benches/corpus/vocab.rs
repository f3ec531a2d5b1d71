//! The Dutch vocabulary the prose is built from: the field of a pedagogy textbook (parents,
//! children, the municipality, prevention), with the words that make Dutch hard to set:
//! long compounds ("jeugdgezondheidszorg"), diaereses ("coördinatie", "beïnvloedt") and
//! hyphenated compounds ("hbo-opleiding", "ouder-kindrelatie"). Every entry carries the forms
//! grammar needs (article, plural, inflected adjective, verb forms), so sentences agree.

/// A noun with its article (`het` or `de`) and plural; `pl` is empty for mass nouns.
pub struct Noun {
    pub sg: &'static str,
    pub pl: &'static str,
    pub het: bool,
}

const fn de(sg: &'static str, pl: &'static str) -> Noun {
    Noun { sg, pl, het: false }
}

const fn het(sg: &'static str, pl: &'static str) -> Noun {
    Noun { sg, pl, het: true }
}

/// People and organisations: they act, so they are the subjects of [`ACTOR_VERBS`].
pub const ACTORS: &[Noun] = &[
    de("ouder", "ouders"),
    de("professional", "professionals"),
    de("jeugdverpleegkundige", "jeugdverpleegkundigen"),
    de("gemeente", "gemeenten"),
    de("school", "scholen"),
    het("wijkteam", "wijkteams"),
    de("onderzoeker", "onderzoekers"),
    de("leerkracht", "leerkrachten"),
    de("huisarts", "huisartsen"),
    de("opvoedingsondersteuner", "opvoedingsondersteuners"),
    de("wijkcoach", "wijkcoaches"),
    de("consultatiebureauarts", "consultatiebureauartsen"),
    de("beleidsmaker", "beleidsmakers"),
    de("jeugdhulpverlener", "jeugdhulpverleners"),
    de("kinderopvangorganisatie", "kinderopvangorganisaties"),
    de("gezinscoach", "gezinscoaches"),
    de("ggz-instelling", "ggz-instellingen"),
    de("hbo-student", "hbo-studenten"),
    de("vrijwilliger", "vrijwilligers"),
    de("jeugdarts", "jeugdartsen"),
    de("buurtsportcoach", "buurtsportcoaches"),
    de(
        "schoolmaatschappelijk werker",
        "schoolmaatschappelijk werkers",
    ),
    de("gedragswetenschapper", "gedragswetenschappers"),
    de("zorgcoördinator", "zorgcoördinatoren"),
    de("pedagoog", "pedagogen"),
];

/// Those whom the work is for: objects of care, rarely the subject of a sentence.
pub const CLIENTS: &[Noun] = &[
    het("kind", "kinderen"),
    het("gezin", "gezinnen"),
    de("jongere", "jongeren"),
    de("puber", "pubers"),
    de("peuter", "peuters"),
    de("zuigeling", "zuigelingen"),
    de("ouder", "ouders"),
    de("alleenstaande ouder", "alleenstaande ouders"),
    de("cliënt", "cliënten"),
    het("pleeggezin", "pleeggezinnen"),
    de("nieuwkomer", "nieuwkomers"),
    de("mantelzorger", "mantelzorgers"),
];

/// The subject matter: abstract nouns, institutions, processes.
pub const THINGS: &[Noun] = &[
    de("opvoeding", ""),
    de("opvoedingsondersteuning", ""),
    de("jeugdgezondheidszorg", ""),
    de("samenwerking", ""),
    de("coördinatie", ""),
    het("netwerk", "netwerken"),
    de("draagkracht", ""),
    de("draaglast", ""),
    het("aanbod", ""),
    de("ontwikkeling", "ontwikkelingen"),
    de("gezinssituatie", "gezinssituaties"),
    het("opvoedingsklimaat", ""),
    de("ouder-kindrelatie", "ouder-kindrelaties"),
    de("hulpvraag", "hulpvragen"),
    de("risicofactor", "risicofactoren"),
    de("veerkracht", ""),
    het("zelfvertrouwen", ""),
    de("opvoedingsvaardigheid", "opvoedingsvaardigheden"),
    de("ontwikkelingsstoornis", "ontwikkelingsstoornissen"),
    het("gedragsprobleem", "gedragsproblemen"),
    de("signalering", ""),
    de("preventie", ""),
    de("interventie", "interventies"),
    het("programma", "programma's"),
    de("aanpak", ""),
    de("werkwijze", "werkwijzen"),
    de("doorverwijzing", "doorverwijzingen"),
    het("jeugd- en gezinsbeleid", ""),
    de("schuldhulpverlening", ""),
    de("kinderopvang", ""),
    de("hbo-opleiding", "hbo-opleidingen"),
    de("deskundigheid", ""),
    de("betrokkenheid", ""),
    de("sensitiviteit", ""),
    de("gehechtheid", ""),
    het("welzijn", ""),
    de("armoede", ""),
    de("participatie", ""),
    de("regie", ""),
    het("vertrouwen", ""),
    de("continuïteit", ""),
    de("toegankelijkheid", ""),
    het("bereik", ""),
    de("effectiviteit", ""),
    de("kwaliteit", ""),
    het("beleid", ""),
    de("wijk", "wijken"),
    de("buurt", "buurten"),
    het("onderwijs", ""),
    de("jeugdhulp", ""),
    de("ketensamenwerking", ""),
    de("informatie-uitwisseling", ""),
    de("verantwoordelijkheid", "verantwoordelijkheden"),
    de("financiering", ""),
    de("evaluatie", "evaluaties"),
    de("methodiek", "methodieken"),
    het("gesprek", "gesprekken"),
    het("huisbezoek", "huisbezoeken"),
    het("consultatiebureau", "consultatiebureaus"),
    de("opvoedingsvraag", "opvoedingsvragen"),
    de("ondersteuningsbehoefte", "ondersteuningsbehoeften"),
    het("idee", "ideeën"),
    de("efficiëntie", ""),
    het("hulpverleningstraject", "hulpverleningstrajecten"),
    de("jeugdbeschermingsmaatregel", "jeugdbeschermingsmaatregelen"),
    het("vve-programma", "vve-programma's"),
    de("e-healthtoepassing", "e-healthtoepassingen"),
    de("taalontwikkeling", ""),
    de("leefstijl", "leefstijlen"),
    de("beschermingsfactor", "beschermingsfactoren"),
    het("gezinsplan", "gezinsplannen"),
    de("opvoedingsstijl", "opvoedingsstijlen"),
    het("toekomstperspectief", ""),
];

/// An adjective: `base` after `een`/`elk` with a het-noun, `infl` everywhere else.
pub struct Adj {
    pub base: &'static str,
    pub infl: &'static str,
}

const fn a(base: &'static str, infl: &'static str) -> Adj {
    Adj { base, infl }
}

pub const ADJECTIVES: &[Adj] = &[
    a("belangrijk", "belangrijke"),
    a("kwetsbaar", "kwetsbare"),
    a("preventief", "preventieve"),
    a("pedagogisch", "pedagogische"),
    a("sociaal", "sociale"),
    a("lokaal", "lokale"),
    a("professioneel", "professionele"),
    a("integraal", "integrale"),
    a("laagdrempelig", "laagdrempelige"),
    a("structureel", "structurele"),
    a("financieel", "financiële"),
    a("sociaal-emotioneel", "sociaal-emotionele"),
    a("effectief", "effectieve"),
    a("vroegtijdig", "vroegtijdige"),
    a("duurzaam", "duurzame"),
    a("systematisch", "systematische"),
    a("ingewikkeld", "ingewikkelde"),
    a("specialistisch", "specialistische"),
    a("gezinsgericht", "gezinsgerichte"),
    a("breed", "brede"),
    a("goed", "goede"),
    a("sterk", "sterke"),
    a("nieuw", "nieuwe"),
    a("huidig", "huidige"),
    a("gezamenlijk", "gezamenlijke"),
    a("wetenschappelijk", "wetenschappelijke"),
    a("geïntegreerd", "geïntegreerde"),
    a("reëel", "reële"),
    a("efficiënt", "efficiënte"),
    a("consistent", "consistente"),
    a("stabiel", "stabiele"),
    a("positief", "positieve"),
    a("dagelijks", "dagelijkse"),
    a("ouderlijk", "ouderlijke"),
    a("maatschappelijk", "maatschappelijke"),
    a("landelijk", "landelijke"),
    a("multidisciplinair", "multidisciplinaire"),
    a("wijkgericht", "wijkgerichte"),
    a("langdurig", "langdurige"),
    a("kortdurend", "kortdurende"),
    a("cultuursensitief", "cultuursensitieve"),
    a("geïnformeerd", "geïnformeerde"),
];

/// Adjectives that can stand after "is" or "zijn".
pub const PREDICATES: &[&str] = &[
    "belangrijk",
    "noodzakelijk",
    "kwetsbaar",
    "complex",
    "zichtbaar",
    "onmisbaar",
    "beperkt",
    "effectief",
    "waardevol",
    "lastig",
    "haalbaar",
    "wenselijk",
    "gebruikelijk",
    "onvoldoende",
    "van groot belang",
    "niet vanzelfsprekend",
    "goed te verdedigen",
    "in beweging",
];

/// Adjectives for "het is … om … te …": judgements about doing something.
pub const PURPOSE_PREDICATES: &[&str] = &[
    "belangrijk",
    "noodzakelijk",
    "lastig",
    "wenselijk",
    "gebruikelijk",
    "waardevol",
    "zinvol",
    "verstandig",
    "niet eenvoudig",
    "de moeite waard",
];

/// A verb in the forms the sentence frames need.
///
/// `sep` is a separable particle as it stands before the finite verb in a subordinate clause:
/// "af" (dat zij het aanbod afstemt) or "in kaart " with its space (dat zij het netwerk in
/// kaart brengt). `prep` governs the object ("draagt bij aan"). `pp` is the past participle
/// for the passive, empty when the verb has no passive.
pub struct Verb {
    pub sg: &'static str,
    pub pl: &'static str,
    pub sep: &'static str,
    pub prep: &'static str,
    pub pp: &'static str,
}

const fn v(sg: &'static str, pl: &'static str, pp: &'static str) -> Verb {
    Verb {
        sg,
        pl,
        sep: "",
        prep: "",
        pp,
    }
}

const fn vs(sg: &'static str, pl: &'static str, sep: &'static str, pp: &'static str) -> Verb {
    Verb {
        sg,
        pl,
        sep,
        prep: "",
        pp,
    }
}

const fn vp(sg: &'static str, pl: &'static str, sep: &'static str, prep: &'static str) -> Verb {
    Verb {
        sg,
        pl,
        sep,
        prep,
        pp: "",
    }
}

/// Verbs whose subject is a person or an organisation.
pub const ACTOR_VERBS: &[Verb] = &[
    v("versterkt", "versterken", "versterkt"),
    v("ondersteunt", "ondersteunen", "ondersteund"),
    v("bespreekt", "bespreken", "besproken"),
    v("onderzoekt", "onderzoeken", "onderzocht"),
    v("verbetert", "verbeteren", "verbeterd"),
    v("bevordert", "bevorderen", "bevorderd"),
    v("signaleert", "signaleren", "gesignaleerd"),
    v("beoordeelt", "beoordelen", "beoordeeld"),
    v("organiseert", "organiseren", "georganiseerd"),
    v("coördineert", "coördineren", "gecoördineerd"),
    v("evalueert", "evalueren", "geëvalueerd"),
    v("begeleidt", "begeleiden", "begeleid"),
    v("bereikt", "bereiken", "bereikt"),
    v("herkent", "herkennen", "herkend"),
    v("verkent", "verkennen", "verkend"),
    v("ontwikkelt", "ontwikkelen", "ontwikkeld"),
    v("beschrijft", "beschrijven", "beschreven"),
    v("stimuleert", "stimuleren", "gestimuleerd"),
    v("waarborgt", "waarborgen", "gewaarborgd"),
    v("financiert", "financieren", "gefinancierd"),
    v("benadert", "benaderen", "benaderd"),
    vs("stemt", "stemmen", "af", "afgestemd"),
    vs("brengt", "brengen", "in kaart ", "in kaart gebracht"),
    vs("neemt", "nemen", "serieus ", "serieus genomen"),
    vs("zet", "zetten", "in", "ingezet"),
    vs("richt", "richten", "in", "ingericht"),
    vs("legt", "leggen", "vast", "vastgelegd"),
    vp("werkt", "werken", "samen", "met"),
    vp("sluit", "sluiten", "aan", "bij"),
];

/// Verbs whose subject is a circumstance, a process or a policy.
pub const THING_VERBS: &[Verb] = &[
    v("beïnvloedt", "beïnvloeden", "beïnvloed"),
    v("vergroot", "vergroten", "vergroot"),
    v("vermindert", "verminderen", "verminderd"),
    v("bepaalt", "bepalen", "bepaald"),
    v("verklaart", "verklaren", "verklaard"),
    v("versterkt", "versterken", "versterkt"),
    v("ondermijnt", "ondermijnen", "ondermijnd"),
    v("belemmert", "belemmeren", "belemmerd"),
    v("vereenvoudigt", "vereenvoudigen", "vereenvoudigd"),
    vp("vraagt", "vragen", "", "om"),
    vp("hangt", "hangen", "samen", "met"),
    vp("draagt", "dragen", "bij", "aan"),
    vp("leidt", "leiden", "", "tot"),
    vp("raakt", "raken", "", "aan"),
];

/// Adverbs that sit after the finite verb in a main clause.
pub const ADVERBS: &[&str] = &[
    "vaak",
    "meestal",
    "vooral",
    "ook",
    "doorgaans",
    "steeds vaker",
    "in veel gevallen",
    "duidelijk",
    "mede",
    "juist",
    "nog te weinig",
    "tegelijk",
    "in toenemende mate",
    "niet altijd",
    "zelden",
];

/// Openings that put the finite verb before the subject ("Daarom versterkt de gemeente …").
pub const FRONTS: &[&str] = &[
    "Daarnaast",
    "Bovendien",
    "Tegelijk",
    "Daarom",
    "Toch",
    "In de praktijk",
    "Op de lange termijn",
    "In veel gemeenten",
    "Volgens veel professionals",
    "Bij jonge kinderen",
    "In de eerste levensjaren",
    "Binnen het sociale domein",
    "Vanuit dit perspectief",
    "In dat opzicht",
    "Juist daardoor",
    "Soms",
    "In de tweede plaats",
    "Anders dan vaak wordt gedacht",
    "Na de invoering van de Jeugdwet",
    "In de dagelijkse praktijk van het wijkteam",
];

/// Conjunctions that open a subordinate clause (verb last).
pub const SUBORDINATORS: &[&str] = &[
    "omdat", "wanneer", "als", "doordat", "hoewel", "zodra", "nu", "terwijl",
];

/// Main clauses that introduce a `dat`-clause.
pub const REPORTERS: &[&str] = &[
    "Onderzoek laat zien",
    "Uit evaluaties blijkt",
    "Professionals geven aan",
    "Veel ouders ervaren",
    "Het is bekend",
    "Steeds duidelijker wordt",
    "Uit de praktijk blijkt",
    "Het ligt voor de hand",
    "Het is opvallend",
    "Beleidsmakers gaan ervan uit",
    "Het valt niet uit te sluiten",
];

/// Prepositional phrases that qualify a noun or a whole clause.
pub const ADJUNCTS: &[&str] = &[
    "in de wijk",
    "voor ouders",
    "binnen het gezin",
    "met jonge kinderen",
    "in de eerste levensjaren",
    "rond de geboorte",
    "op school",
    "in de kinderopvang",
    "binnen het sociale domein",
    "in de thuissituatie",
    "tijdens de puberteit",
    "na een scheiding",
    "in de voorschoolse periode",
    "op de lange termijn",
    "in kwetsbare wijken",
    "van het consultatiebureau",
    "in de jeugd- en gezinszorg",
];

/// Short sentences that give paragraphs a human rhythm; used sparingly.
pub const ASIDES: &[&str] = &[
    "Dat is geen toeval.",
    "Dat vraagt om maatwerk.",
    "Hier ligt een belangrijke opgave.",
    "De praktijk is weerbarstiger.",
    "Daarover bestaat weinig discussie.",
    "Dat klinkt eenvoudiger dan het is.",
    "Het verschil is kleiner dan het lijkt.",
    "Over de precieze oorzaken verschillen de meningen.",
    "Dat geldt niet voor alle gezinnen in dezelfde mate.",
    "Juist daar wringt het vaak.",
];

/// First names for the cases in kaders.
pub const NAMES: &[(&str, bool)] = &[
    // (name, female)
    ("Daan", false),
    ("Sanne", true),
    ("Noah", false),
    ("Fatima", true),
    ("Yusuf", false),
    ("Mila", true),
    ("Sem", false),
    ("Lotte", true),
    ("Emre", false),
    ("Zeynep", true),
    ("Bram", false),
    ("Noor", true),
    ("Mohammed", false),
    ("Julia", true),
    ("Luuk", false),
    ("Amira", true),
    ("Thijs", false),
    ("Iris", true),
    ("Sofia", true),
    ("Jayden", false),
    ("Anouk", true),
    ("Chloë", true),
    ("Joël", false),
];

/// Chapter topics; more chapters than topics combine two of them.
pub const TOPICS: &[&str] = &[
    "Opvoedingsondersteuning en preventie",
    "Het werkveld in deze tijd",
    "Theoretische onderbouwing",
    "Het vak opvoedingsondersteuning",
    "De keten van welzijn, steun en hulp",
    "Methoden en programma's",
    "Gehechtheid en sensitiviteit",
    "Ouders in armoede",
    "Opvoeden in de wijk",
    "Jeugdgezondheidszorg en het consultatiebureau",
    "Samenwerking met het onderwijs",
    "Gezinnen na een scheiding",
    "Opvoeden in een migratiecontext",
    "De eerste duizend dagen",
    "Pubers en hun ouders",
    "Signaleren van kindermishandeling",
    "Kinderen met ontwikkelingsstoornissen",
    "Taalontwikkeling en voorschoolse educatie",
    "Het gesprek met ouders",
    "Netwerken rond het gezin",
    "Beleid en financiering",
    "Kwaliteit en effectiviteit",
    "Digitale opvoedingsondersteuning",
    "Pleegzorg en gezinshuizen",
    "Vaders in beeld",
    "Professionele beroepshouding",
    "Onderzoek in de praktijk",
    "Veerkracht en beschermende factoren",
    "Coördinatie van zorg",
    "Jongeren en sociale media",
];

/// Lower-case second halves for combined chapter titles.
pub const SUBTOPICS: &[&str] = &[
    "de rol van de gemeente",
    "nieuwe ontwikkelingen",
    "de praktijk van het wijkteam",
    "dilemma's in de uitvoering",
    "de stem van ouders",
    "lessen uit onderzoek",
    "samenwerking in de keten",
    "de positie van het kind",
];
