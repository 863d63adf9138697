//! Static facts about PDF text: base encodings, glyph names, CFF standard strings and the widths
//! of the standard 14 fonts. Written out as data so that decoding needs no files at run time.

use std::collections::HashMap;
use std::sync::OnceLock;

/// A base encoding maps a single-byte code to a Unicode scalar; 0 means "not defined".
pub type BaseEncoding = [u16; 256];

const fn ascii_base() -> BaseEncoding {
    let mut t = [0u16; 256];
    let mut c = 0x20;
    while c < 0x7f {
        t[c] = c as u16;
        c += 1;
    }
    t
}

const fn latin1_base() -> BaseEncoding {
    let mut t = ascii_base();
    let mut c = 0xa0;
    while c < 0x100 {
        t[c] = c as u16;
        c += 1;
    }
    t
}

pub static WIN_ANSI: BaseEncoding = {
    let mut t = latin1_base();
    let hi: [u16; 32] = [
        0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039,
        0x0152, 0, 0x017d, 0, 0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc,
        0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
    ];
    let mut i = 0;
    while i < 32 {
        t[0x80 + i] = hi[i];
        i += 1;
    }
    // The spec reads 0xA0 as a space and 0xAD as a hyphen in this encoding.
    t[0xa0] = 0x20;
    t[0xad] = 0x2d;
    // "All unused codes greater than 40 (octal) map to the bullet character" (PDF 32000, D.2
    // note 3): reportlab writes its list bullets as 0x7F.
    t[0x7f] = 0x2022;
    let mut k = 0x80;
    while k < 0xa0 {
        if t[k] == 0 {
            t[k] = 0x2022;
        }
        k += 1;
    }
    t
};

pub static MAC_ROMAN: BaseEncoding = {
    let mut t = ascii_base();
    let hi: [u16; 128] = [
        0xc4, 0xc5, 0xc7, 0xc9, 0xd1, 0xd6, 0xdc, 0xe1, 0xe0, 0xe2, 0xe4, 0xe3, 0xe5, 0xe7, 0xe9,
        0xe8, //
        0xea, 0xeb, 0xed, 0xec, 0xee, 0xef, 0xf1, 0xf3, 0xf2, 0xf4, 0xf6, 0xf5, 0xfa, 0xf9, 0xfb,
        0xfc, //
        0x2020, 0xb0, 0xa2, 0xa3, 0xa7, 0x2022, 0xb6, 0xdf, 0xae, 0xa9, 0x2122, 0xb4, 0xa8, 0x2260,
        0xc6, 0xd8, 0x221e, 0xb1, 0x2264, 0x2265, 0xa5, 0xb5, 0x2202, 0x2211, 0x220f, 0x3c0,
        0x222b, 0xaa, 0xba, 0x3a9, 0xe6, 0xf8, //
        0xbf, 0xa1, 0xac, 0x221a, 0x192, 0x2248, 0x2206, 0xab, 0xbb, 0x2026, 0x20, 0xc0, 0xc3,
        0xd5, 0x152, 0x153, //
        0x2013, 0x2014, 0x201c, 0x201d, 0x2018, 0x2019, 0xf7, 0x25ca, 0xff, 0x178, 0x2044, 0xa4,
        0x2039, 0x203a, 0xfb01, 0xfb02, //
        0x2021, 0xb7, 0x201a, 0x201e, 0x2030, 0xc2, 0xca, 0xc1, 0xcb, 0xc8, 0xcd, 0xce, 0xcf, 0xcc,
        0xd3, 0xd4, 0, 0xd2, 0xda, 0xdb, 0xd9, 0x131, 0x2c6, 0x2dc, 0xaf, 0x2d8, 0x2d9, 0x2da,
        0xb8, 0x2dd, 0x2db, 0x2c7,
    ];
    let mut i = 0;
    while i < 128 {
        t[0x80 + i] = hi[i];
        i += 1;
    }
    t
};

pub static STANDARD: BaseEncoding = {
    let mut t = ascii_base();
    t[0x27] = 0x2019;
    t[0x60] = 0x2018;
    let pairs: [(usize, u16); 66] = [
        (0xa1, 0xa1),
        (0xa2, 0xa2),
        (0xa3, 0xa3),
        (0xa4, 0x2044),
        (0xa5, 0xa5),
        (0xa6, 0x192),
        (0xa7, 0xa7),
        (0xa8, 0xa4),
        (0xa9, 0x27),
        (0xaa, 0x201c),
        (0xab, 0xab),
        (0xac, 0x2039),
        (0xad, 0x203a),
        (0xae, 0xfb01),
        (0xaf, 0xfb02),
        (0xb1, 0x2013),
        (0xb2, 0x2020),
        (0xb3, 0x2021),
        (0xb4, 0xb7),
        (0xb6, 0xb6),
        (0xb7, 0x2022),
        (0xb8, 0x201a),
        (0xb9, 0x201e),
        (0xba, 0x201d),
        (0xbb, 0xbb),
        (0xbc, 0x2026),
        (0xbd, 0x2030),
        (0xbf, 0xbf),
        (0xc1, 0x60),
        (0xc2, 0xb4),
        (0xc3, 0x2c6),
        (0xc4, 0x2dc),
        (0xc5, 0xaf),
        (0xc6, 0x2d8),
        (0xc7, 0x2d9),
        (0xc8, 0xa8),
        (0xca, 0x2da),
        (0xcb, 0xb8),
        (0xcd, 0x2dd),
        (0xce, 0x2db),
        (0xcf, 0x2c7),
        (0xd0, 0x2014),
        (0xe1, 0xc6),
        (0xe3, 0xaa),
        (0xe8, 0x141),
        (0xe9, 0xd8),
        (0xea, 0x152),
        (0xeb, 0xba),
        (0xf1, 0xe6),
        (0xf5, 0x131),
        (0xf8, 0x142),
        (0xf9, 0xf8),
        (0xfa, 0x153),
        (0xfb, 0xdf),
        (0, 0),
        (0, 0),
        (0, 0),
        (0, 0),
        (0, 0),
        (0, 0),
        (0, 0),
        (0, 0),
        (0, 0),
        (0, 0),
        (0, 0),
        (0, 0),
    ];
    let mut i = 0;
    while i < pairs.len() {
        if pairs[i].0 != 0 {
            t[pairs[i].0] = pairs[i].1;
        }
        i += 1;
    }
    t
};

pub static PDF_DOC: BaseEncoding = {
    let mut t = latin1_base();
    let low: [u16; 8] = [0x2d8, 0x2c7, 0x2c6, 0x2d9, 0x2dd, 0x2db, 0x2da, 0x2dc];
    let mut i = 0;
    while i < 8 {
        t[0x18 + i] = low[i];
        i += 1;
    }
    let hi: [u16; 33] = [
        0x2022, 0x2020, 0x2021, 0x2026, 0x2014, 0x2013, 0x192, 0x2044, 0x2039, 0x203a, 0x2212,
        0x2030, 0x201e, 0x201c, 0x201d, 0x2018, 0x2019, 0x201a, 0x2122, 0xfb01, 0xfb02, 0x141,
        0x152, 0x160, 0x178, 0x17d, 0x131, 0x142, 0x153, 0x161, 0x17e, 0, 0x20ac,
    ];
    let mut i = 0;
    while i < 33 {
        t[0x80 + i] = hi[i];
        i += 1;
    }
    t
};

const ASCII_NAMES: [&str; 95] = [
    "space",
    "exclam",
    "quotedbl",
    "numbersign",
    "dollar",
    "percent",
    "ampersand",
    "quotesingle",
    "parenleft",
    "parenright",
    "asterisk",
    "plus",
    "comma",
    "hyphen",
    "period",
    "slash",
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "colon",
    "semicolon",
    "less",
    "equal",
    "greater",
    "question",
    "at",
    "A",
    "B",
    "C",
    "D",
    "E",
    "F",
    "G",
    "H",
    "I",
    "J",
    "K",
    "L",
    "M",
    "N",
    "O",
    "P",
    "Q",
    "R",
    "S",
    "T",
    "U",
    "V",
    "W",
    "X",
    "Y",
    "Z",
    "bracketleft",
    "backslash",
    "bracketright",
    "asciicircum",
    "underscore",
    "grave",
    "a",
    "b",
    "c",
    "d",
    "e",
    "f",
    "g",
    "h",
    "i",
    "j",
    "k",
    "l",
    "m",
    "n",
    "o",
    "p",
    "q",
    "r",
    "s",
    "t",
    "u",
    "v",
    "w",
    "x",
    "y",
    "z",
    "braceleft",
    "bar",
    "braceright",
    "asciitilde",
];

/// Glyph names of U+00A0..=U+00FF in order.
const LATIN1_NAMES: [&str; 96] = [
    "nbspace",
    "exclamdown",
    "cent",
    "sterling",
    "currency",
    "yen",
    "brokenbar",
    "section",
    "dieresis",
    "copyright",
    "ordfeminine",
    "guillemotleft",
    "logicalnot",
    "sfthyphen",
    "registered",
    "macron",
    "degree",
    "plusminus",
    "twosuperior",
    "threesuperior",
    "acute",
    "mu",
    "paragraph",
    "periodcentered",
    "cedilla",
    "onesuperior",
    "ordmasculine",
    "guillemotright",
    "onequarter",
    "onehalf",
    "threequarters",
    "questiondown",
    "Agrave",
    "Aacute",
    "Acircumflex",
    "Atilde",
    "Adieresis",
    "Aring",
    "AE",
    "Ccedilla",
    "Egrave",
    "Eacute",
    "Ecircumflex",
    "Edieresis",
    "Igrave",
    "Iacute",
    "Icircumflex",
    "Idieresis",
    "Eth",
    "Ntilde",
    "Ograve",
    "Oacute",
    "Ocircumflex",
    "Otilde",
    "Odieresis",
    "multiply",
    "Oslash",
    "Ugrave",
    "Uacute",
    "Ucircumflex",
    "Udieresis",
    "Yacute",
    "Thorn",
    "germandbls",
    "agrave",
    "aacute",
    "acircumflex",
    "atilde",
    "adieresis",
    "aring",
    "ae",
    "ccedilla",
    "egrave",
    "eacute",
    "ecircumflex",
    "edieresis",
    "igrave",
    "iacute",
    "icircumflex",
    "idieresis",
    "eth",
    "ntilde",
    "ograve",
    "oacute",
    "ocircumflex",
    "otilde",
    "odieresis",
    "divide",
    "oslash",
    "ugrave",
    "uacute",
    "ucircumflex",
    "udieresis",
    "yacute",
    "thorn",
    "ydieresis",
];

/// Glyph names of U+0100..=U+017F in order.
const LATIN_EXT_A_NAMES: [&str; 128] = [
    "Amacron",
    "amacron",
    "Abreve",
    "abreve",
    "Aogonek",
    "aogonek",
    "Cacute",
    "cacute",
    "Ccircumflex",
    "ccircumflex",
    "Cdotaccent",
    "cdotaccent",
    "Ccaron",
    "ccaron",
    "Dcaron",
    "dcaron",
    "Dcroat",
    "dcroat",
    "Emacron",
    "emacron",
    "Ebreve",
    "ebreve",
    "Edotaccent",
    "edotaccent",
    "Eogonek",
    "eogonek",
    "Ecaron",
    "ecaron",
    "Gcircumflex",
    "gcircumflex",
    "Gbreve",
    "gbreve",
    "Gdotaccent",
    "gdotaccent",
    "Gcommaaccent",
    "gcommaaccent",
    "Hcircumflex",
    "hcircumflex",
    "Hbar",
    "hbar",
    "Itilde",
    "itilde",
    "Imacron",
    "imacron",
    "Ibreve",
    "ibreve",
    "Iogonek",
    "iogonek",
    "Idotaccent",
    "dotlessi",
    "IJ",
    "ij",
    "Jcircumflex",
    "jcircumflex",
    "Kcommaaccent",
    "kcommaaccent",
    "kgreenlandic",
    "Lacute",
    "lacute",
    "Lcommaaccent",
    "lcommaaccent",
    "Lcaron",
    "lcaron",
    "Ldot",
    "ldot",
    "Lslash",
    "lslash",
    "Nacute",
    "nacute",
    "Ncommaaccent",
    "ncommaaccent",
    "Ncaron",
    "ncaron",
    "napostrophe",
    "Eng",
    "eng",
    "Omacron",
    "omacron",
    "Obreve",
    "obreve",
    "Ohungarumlaut",
    "ohungarumlaut",
    "OE",
    "oe",
    "Racute",
    "racute",
    "Rcommaaccent",
    "rcommaaccent",
    "Rcaron",
    "rcaron",
    "Sacute",
    "sacute",
    "Scircumflex",
    "scircumflex",
    "Scedilla",
    "scedilla",
    "Scaron",
    "scaron",
    "Tcommaaccent",
    "tcommaaccent",
    "Tcaron",
    "tcaron",
    "Tbar",
    "tbar",
    "Utilde",
    "utilde",
    "Umacron",
    "umacron",
    "Ubreve",
    "ubreve",
    "Uring",
    "uring",
    "Uhungarumlaut",
    "uhungarumlaut",
    "Uogonek",
    "uogonek",
    "Wcircumflex",
    "wcircumflex",
    "Ycircumflex",
    "ycircumflex",
    "Ydieresis",
    "Zacute",
    "zacute",
    "Zdotaccent",
    "zdotaccent",
    "Zcaron",
    "zcaron",
    "longs",
];

/// Greek letters U+0391..=U+03A9 and U+03B1..=U+03C9 in order; the gap at U+03A2 is unnamed.
const GREEK_UPPER: [&str; 25] = [
    "Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta", "Eta", "Theta", "Iota", "Kappa",
    "Lambda", "Mu", "Nu", "Xi", "Omicron", "Pi", "Rho", "", "Sigma", "Tau", "Upsilon", "Phi",
    "Chi", "Psi", "Omega",
];
const GREEK_LOWER: [&str; 25] = [
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigma1", "sigma", "tau", "upsilon", "phi",
    "chi", "psi", "omega",
];

/// Names outside the runs above, with the text they stand for.
const OTHER_NAMES: &[(&str, &str)] = &[
    ("quoteright", "\u{2019}"),
    ("quoteleft", "\u{2018}"),
    ("quotedblleft", "\u{201c}"),
    ("quotedblright", "\u{201d}"),
    ("quotesinglbase", "\u{201a}"),
    ("quotedblbase", "\u{201e}"),
    ("quotereversed", "\u{201b}"),
    ("guilsinglleft", "\u{2039}"),
    ("guilsinglright", "\u{203a}"),
    ("endash", "\u{2013}"),
    ("emdash", "\u{2014}"),
    ("figuredash", "\u{2012}"),
    ("bullet", "\u{2022}"),
    ("ellipsis", "\u{2026}"),
    ("dagger", "\u{2020}"),
    ("daggerdbl", "\u{2021}"),
    ("perthousand", "\u{2030}"),
    ("trademark", "\u{2122}"),
    ("fi", "fi"),
    ("fl", "fl"),
    ("ff", "ff"),
    ("ffi", "ffi"),
    ("ffl", "ffl"),
    ("st", "st"),
    ("florin", "\u{192}"),
    ("fraction", "\u{2044}"),
    ("circumflex", "\u{2c6}"),
    ("tilde", "\u{2dc}"),
    ("breve", "\u{2d8}"),
    ("dotaccent", "\u{2d9}"),
    ("ring", "\u{2da}"),
    ("ogonek", "\u{2db}"),
    ("caron", "\u{2c7}"),
    ("hungarumlaut", "\u{2dd}"),
    ("Euro", "\u{20ac}"),
    ("euro", "\u{20ac}"),
    ("minus", "\u{2212}"),
    ("nonbreakingspace", "\u{a0}"),
    ("middot", "\u{b7}"),
    ("Omega", "\u{3a9}"),
    ("Delta", "\u{394}"),
    ("mu1", "\u{b5}"),
    ("summation", "\u{2211}"),
    ("product", "\u{220f}"),
    ("radical", "\u{221a}"),
    ("infinity", "\u{221e}"),
    ("integral", "\u{222b}"),
    ("approxequal", "\u{2248}"),
    ("notequal", "\u{2260}"),
    ("lessequal", "\u{2264}"),
    ("greaterequal", "\u{2265}"),
    ("partialdiff", "\u{2202}"),
    ("lozenge", "\u{25ca}"),
    ("arrowright", "\u{2192}"),
    ("arrowleft", "\u{2190}"),
    ("arrowup", "\u{2191}"),
    ("arrowdown", "\u{2193}"),
    ("arrowboth", "\u{2194}"),
    ("arrowdblright", "\u{21d2}"),
    ("arrowdblleft", "\u{21d0}"),
    ("arrowdblboth", "\u{21d4}"),
    ("checkmark", "\u{2713}"),
    ("dotlessj", "\u{237}"),
    ("onethird", "\u{2153}"),
    ("twothirds", "\u{2154}"),
    ("oneeighth", "\u{215b}"),
    ("threeeighths", "\u{215c}"),
    ("fiveeighths", "\u{215d}"),
    ("seveneighths", "\u{215e}"),
    ("commaaccent", "\u{326}"),
    ("afii61289", "\u{2113}"),
    ("afii00208", "\u{2015}"),
    ("afii10017", "\u{410}"),
    ("estimated", "\u{212e}"),
    ("Ohorn", "\u{1a0}"),
    ("ohorn", "\u{1a1}"),
    ("Uhorn", "\u{1af}"),
    ("uhorn", "\u{1b0}"),
    ("Scommaaccent", "\u{218}"),
    ("scommaaccent", "\u{219}"),
    ("Tcommaaccent", "\u{162}"),
    ("periodcentered", "\u{b7}"),
    ("copyrightserif", "\u{a9}"),
    ("registerserif", "\u{ae}"),
    ("trademarkserif", "\u{2122}"),
    ("copyrightsans", "\u{a9}"),
    ("registersans", "\u{ae}"),
    ("trademarksans", "\u{2122}"),
    ("angleleft", "\u{2329}"),
    ("angleright", "\u{232a}"),
    ("element", "\u{2208}"),
    ("notelement", "\u{2209}"),
    ("intersection", "\u{2229}"),
    ("union", "\u{222a}"),
    ("propersubset", "\u{2282}"),
    ("propersuperset", "\u{2283}"),
    ("reflexsubset", "\u{2286}"),
    ("reflexsuperset", "\u{2287}"),
    ("emptyset", "\u{2205}"),
    ("gradient", "\u{2207}"),
    ("universal", "\u{2200}"),
    ("existential", "\u{2203}"),
    ("logicaland", "\u{2227}"),
    ("logicalor", "\u{2228}"),
    ("equivalence", "\u{2261}"),
    ("similar", "\u{223c}"),
    ("congruent", "\u{2245}"),
    ("proportional", "\u{221d}"),
    ("therefore", "\u{2234}"),
    ("perpendicular", "\u{22a5}"),
    ("dotmath", "\u{22c5}"),
    ("circlemultiply", "\u{2297}"),
    ("circleplus", "\u{2295}"),
    ("angle", "\u{2220}"),
    ("degreesign", "\u{b0}"),
    ("prime", "\u{2032}"),
    ("second", "\u{2033}"),
    ("aleph", "\u{2135}"),
    ("weierstrass", "\u{2118}"),
    ("Ifraktur", "\u{2111}"),
    ("Rfraktur", "\u{211c}"),
    ("club", "\u{2663}"),
    ("diamond", "\u{2666}"),
    ("heart", "\u{2665}"),
    ("spade", "\u{2660}"),
    ("theta1", "\u{3d1}"),
    ("phi1", "\u{3d5}"),
    ("omega1", "\u{3d6}"),
    ("Upsilon1", "\u{3d2}"),
    ("dieresistonos", "\u{385}"),
    ("tonos", "\u{384}"),
    ("Schwa", "\u{18f}"),
    ("schwa", "\u{259}"),
    ("space.alt", " "),
    ("hyphen.alt", "-"),
    ("uni00AD", "-"),
    ("hyphenminus", "-"),
    ("filledbox", "\u{25a0}"),
    ("H22073", "\u{25a1}"),
    ("H18543", "\u{25aa}"),
    ("H18551", "\u{25ab}"),
    ("H18533", "\u{25cf}"),
    ("circle", "\u{25cb}"),
    ("openbullet", "\u{25e6}"),
    ("invbullet", "\u{25d8}"),
    ("triagrt", "\u{25ba}"),
    ("triaglf", "\u{25c4}"),
    ("triagup", "\u{25b2}"),
    ("triagdn", "\u{25bc}"),
    ("dotlessi.sc", "i"),
    ("Dslash", "\u{110}"),
    ("dmacron", "\u{111}"),
    ("Gcedilla", "\u{122}"),
    ("gcedilla", "\u{123}"),
    ("Kcedilla", "\u{136}"),
    ("kcedilla", "\u{137}"),
    ("Lcedilla", "\u{13b}"),
    ("lcedilla", "\u{13c}"),
    ("Ncedilla", "\u{145}"),
    ("ncedilla", "\u{146}"),
    ("Rcedilla", "\u{156}"),
    ("rcedilla", "\u{157}"),
    ("Tcedilla", "\u{162}"),
    ("tcedilla", "\u{163}"),
    ("Edot", "\u{116}"),
    ("edot", "\u{117}"),
    ("Gdot", "\u{120}"),
    ("gdot", "\u{121}"),
    ("Zdot", "\u{17b}"),
    ("zdot", "\u{17c}"),
    ("Cdot", "\u{10a}"),
    ("cdot", "\u{10b}"),
    ("Idot", "\u{130}"),
    ("Odblacute", "\u{150}"),
    ("odblacute", "\u{151}"),
    ("Udblacute", "\u{170}"),
    ("udblacute", "\u{171}"),
    ("Ldotaccent", "\u{13f}"),
    ("ldotaccent", "\u{140}"),
    ("quoteleftreversed", "\u{201b}"),
    ("exclamdbl", "\u{203c}"),
    ("colonmonetary", "\u{20a1}"),
    ("franc", "\u{20a3}"),
    ("lira", "\u{20a4}"),
    ("peseta", "\u{20a7}"),
    ("dong", "\u{20ab}"),
    ("numero", "\u{2116}"),
    ("afii61352", "\u{2116}"),
    ("ampersandsmall", "&"),
    ("dollaroldstyle", "$"),
    ("zerooldstyle", "0"),
    ("oneoldstyle", "1"),
    ("twooldstyle", "2"),
    ("threeoldstyle", "3"),
    ("fouroldstyle", "4"),
    ("fiveoldstyle", "5"),
    ("sixoldstyle", "6"),
    ("sevenoldstyle", "7"),
    ("eightoldstyle", "8"),
    ("nineoldstyle", "9"),
    ("zeroinferior", "\u{2080}"),
    ("oneinferior", "\u{2081}"),
    ("twoinferior", "\u{2082}"),
    ("zerosuperior", "\u{2070}"),
    ("foursuperior", "\u{2074}"),
    ("nsuperior", "\u{207f}"),
];

fn glyph_map() -> &'static HashMap<&'static str, String> {
    static MAP: OnceLock<HashMap<&'static str, String>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut m: HashMap<&'static str, String> = HashMap::with_capacity(700);
        let runs: [(&[&'static str], u32); 5] = [
            (&ASCII_NAMES, 0x20),
            (&LATIN1_NAMES, 0xa0),
            (&LATIN_EXT_A_NAMES, 0x100),
            (&GREEK_UPPER, 0x391),
            (&GREEK_LOWER, 0x3b1),
        ];
        for (names, first) in runs {
            for (i, name) in names.iter().enumerate() {
                if name.is_empty() {
                    continue;
                }
                if let Some(c) = char::from_u32(first + i as u32) {
                    m.entry(name).or_insert_with(|| c.to_string());
                }
            }
        }
        for (name, text) in OTHER_NAMES {
            m.insert(name, (*text).to_string());
        }
        // The soft hyphen and no-break space read as their plain counterparts in extracted text.
        m.insert("sfthyphen", "-".into());
        m.insert("nbspace", " ".into());
        m.insert("mu", "\u{b5}".into());
        m
    })
}

/// The text a glyph name stands for: the glyph list, then `uniXXXX`, `uXXXX[XX]`, then the name
/// split at `.` (variants such as `a.sc`) and `_` (ligatures such as `f_f_i`).
pub fn glyph_name_to_text(name: &str) -> Option<String> {
    if let Some(t) = glyph_map().get(name) {
        return Some(t.clone());
    }
    if let Some(hex) = name.strip_prefix("uni") {
        if hex.len() >= 4 && hex.len() % 4 == 0 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            let mut out = String::new();
            for chunk in hex.as_bytes().chunks(4) {
                let s = std::str::from_utf8(chunk).ok()?;
                let v = u32::from_str_radix(s, 16).ok()?;
                out.push(char::from_u32(v)?);
            }
            return Some(out);
        }
    }
    if let Some(hex) = name.strip_prefix('u') {
        if (4..=6).contains(&hex.len()) && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            let v = u32::from_str_radix(hex, 16).ok()?;
            return char::from_u32(v).map(|c| c.to_string());
        }
    }
    if let Some((base, _)) = name.split_once('.') {
        if !base.is_empty() {
            return glyph_name_to_text(base);
        }
    }
    if name.contains('_') {
        let mut out = String::new();
        for part in name.split('_') {
            out.push_str(&glyph_name_to_text(part)?);
        }
        return Some(out);
    }
    None
}

/// CFF standard strings 0..=228 (the ISOAdobe character set); higher standard strings are
/// expert-set glyphs that plain text never needs.
pub fn cff_standard_string(sid: usize) -> Option<&'static str> {
    const STD: [&str; 34] = [
        "exclamdown",
        "cent",
        "sterling",
        "fraction",
        "yen",
        "florin",
        "section",
        "currency",
        "quotesingle",
        "quotedblleft",
        "guillemotleft",
        "guilsinglleft",
        "guilsinglright",
        "fi",
        "fl",
        "endash",
        "dagger",
        "daggerdbl",
        "periodcentered",
        "paragraph",
        "bullet",
        "quotesinglbase",
        "quotedblbase",
        "quotedblright",
        "guillemotright",
        "ellipsis",
        "perthousand",
        "questiondown",
        "grave",
        "acute",
        "circumflex",
        "tilde",
        "macron",
        "breve",
    ];
    const STD2: [&str; 61] = [
        "dotaccent",
        "dieresis",
        "ring",
        "cedilla",
        "hungarumlaut",
        "ogonek",
        "caron",
        "emdash",
        "AE",
        "ordfeminine",
        "Lslash",
        "Oslash",
        "OE",
        "ordmasculine",
        "ae",
        "dotlessi",
        "lslash",
        "oslash",
        "oe",
        "germandbls",
        "onesuperior",
        "logicalnot",
        "mu",
        "trademark",
        "Eth",
        "onehalf",
        "plusminus",
        "Thorn",
        "onequarter",
        "divide",
        "brokenbar",
        "degree",
        "thorn",
        "threequarters",
        "twosuperior",
        "registered",
        "minus",
        "eth",
        "multiply",
        "threesuperior",
        "copyright",
        "Aacute",
        "Acircumflex",
        "Adieresis",
        "Agrave",
        "Aring",
        "Atilde",
        "Ccedilla",
        "Eacute",
        "Ecircumflex",
        "Edieresis",
        "Egrave",
        "Iacute",
        "Icircumflex",
        "Idieresis",
        "Igrave",
        "Ntilde",
        "Oacute",
        "Ocircumflex",
        "Odieresis",
        "Ograve",
    ];
    const STD3: [&str; 29] = [
        "Otilde",
        "Scaron",
        "Uacute",
        "Ucircumflex",
        "Udieresis",
        "Ugrave",
        "Yacute",
        "Ydieresis",
        "Zcaron",
        "aacute",
        "acircumflex",
        "adieresis",
        "agrave",
        "aring",
        "atilde",
        "ccedilla",
        "eacute",
        "ecircumflex",
        "edieresis",
        "egrave",
        "iacute",
        "icircumflex",
        "idieresis",
        "igrave",
        "ntilde",
        "oacute",
        "ocircumflex",
        "odieresis",
        "ograve",
    ];
    const STD4: [&str; 10] = [
        "otilde",
        "scaron",
        "uacute",
        "ucircumflex",
        "udieresis",
        "ugrave",
        "yacute",
        "ydieresis",
        "zcaron",
        "",
    ];
    match sid {
        0 => Some(".notdef"),
        1..=95 => {
            // SIDs 1..=95 are the printable ASCII glyphs, except that 8 and 64 are the
            // typographic single quotes rather than the ASCII ones.
            match sid {
                8 => Some("quoteright"),
                64 => Some("quoteleft"),
                _ => ASCII_NAMES.get(sid - 1).copied(),
            }
        }
        96..=129 => STD.get(sid - 96).copied(),
        130..=190 => STD2.get(sid - 130).copied(),
        191..=219 => STD3.get(sid - 191).copied(),
        220..=228 => STD4.get(sid - 220).copied(),
        _ => None,
    }
}

/// Advance widths (1/1000 em) of printable ASCII in the standard 14 fonts, from their AFM
/// metrics. Italic faces reuse the upright widths: close enough for word spacing.
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];
const HELVETICA_BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667,
    611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556,
    278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];
const TIMES: [u16; 95] = [
    250, 333, 408, 500, 500, 833, 778, 180, 333, 333, 500, 564, 250, 333, 250, 278, 500, 500, 500,
    500, 500, 500, 500, 500, 500, 500, 278, 278, 564, 564, 564, 444, 921, 722, 667, 667, 722, 611,
    556, 722, 722, 333, 389, 722, 611, 889, 722, 722, 556, 722, 667, 556, 611, 722, 722, 944, 722,
    722, 611, 333, 278, 333, 469, 500, 333, 444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500,
    278, 778, 500, 500, 500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444, 480, 200, 480, 541,
];
const TIMES_BOLD: [u16; 95] = [
    250, 333, 555, 500, 500, 1000, 833, 278, 333, 333, 500, 570, 250, 333, 250, 278, 500, 500, 500,
    500, 500, 500, 500, 500, 500, 500, 333, 333, 570, 570, 570, 500, 930, 722, 667, 722, 722, 667,
    611, 778, 778, 389, 500, 778, 667, 944, 722, 778, 611, 778, 722, 556, 667, 722, 722, 1000, 722,
    722, 667, 333, 278, 333, 581, 500, 333, 500, 556, 444, 556, 444, 333, 500, 556, 278, 333, 556,
    278, 833, 556, 500, 556, 556, 444, 389, 333, 556, 500, 722, 500, 500, 444, 394, 220, 394, 520,
];

/// Which standard-14 metrics a base font name falls back to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base14 {
    Helvetica,
    HelveticaBold,
    Times,
    TimesBold,
    Courier,
    Symbolic,
}

impl Base14 {
    pub fn from_name(name: &str) -> Option<Base14> {
        let n = name.rsplit('+').next().unwrap_or(name).to_ascii_lowercase();
        let bold = n.contains("bold") || n.contains("black") || n.contains("heavy");
        if n.starts_with("courier") || n.contains("mono") {
            Some(Base14::Courier)
        } else if n.starts_with("helvetica") || n.starts_with("arial") {
            Some(if bold {
                Base14::HelveticaBold
            } else {
                Base14::Helvetica
            })
        } else if n.starts_with("times") {
            Some(if bold {
                Base14::TimesBold
            } else {
                Base14::Times
            })
        } else if n.starts_with("symbol") || n.starts_with("zapfdingbats") {
            Some(Base14::Symbolic)
        } else {
            None
        }
    }

    /// Width in 1/1000 em of the glyph for `text`, approximated by its base letter for accented
    /// letters outside ASCII.
    pub fn width(self, text: &str) -> f32 {
        let table = match self {
            Base14::Courier => return 600.0,
            Base14::Symbolic => return 500.0,
            Base14::Helvetica => &HELVETICA,
            Base14::HelveticaBold => &HELVETICA_BOLD,
            Base14::Times => &TIMES,
            Base14::TimesBold => &TIMES_BOLD,
        };
        let mut chars = text.chars();
        let Some(c) = chars.next() else { return 0.0 };
        if chars.next().is_some() {
            // Ligatures: sum of their letters.
            return text
                .chars()
                .map(|c| self.width(c.encode_utf8(&mut [0; 4])))
                .sum();
        }
        let base = match c {
            'À'..='Å' => 'A',
            'Æ' | 'Œ' => 'W',
            'Ç' => 'C',
            'È'..='Ë' => 'E',
            'Ì'..='Ï' => 'I',
            'Ñ' => 'N',
            'Ò'..='Ö' | 'Ø' => 'O',
            'Ù'..='Ü' => 'U',
            'Ý' => 'Y',
            'ß' => 'b',
            'à'..='å' => 'a',
            'æ' | 'œ' => 'm',
            'ç' => 'c',
            'è'..='ë' => 'e',
            'ì'..='ï' => 'i',
            'ñ' => 'n',
            'ò'..='ö' | 'ø' => 'o',
            'ù'..='ü' => 'u',
            'ý' | 'ÿ' => 'y',
            '\u{2018}' | '\u{2019}' => '\'',
            '\u{201c}' | '\u{201d}' | '«' | '»' => '"',
            '\u{2013}' | '\u{2022}' => '0',
            '\u{2014}' | '\u{2026}' => 'M',
            c if (c as u32) < 0x7f && (c as u32) >= 0x20 => c,
            _ => 'o',
        };
        table
            .get((base as usize).wrapping_sub(0x20))
            .map_or(500.0, |w| f32::from(*w))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_agree_on_ascii_and_differ_where_they_should() {
        assert_eq!(WIN_ANSI[b'A' as usize], 'A' as u16);
        assert_eq!(WIN_ANSI[0xe5], 'å' as u16);
        assert_eq!(WIN_ANSI[0x96], 0x2013);
        assert_eq!(WIN_ANSI[0x7f], 0x2022);
        assert_eq!(WIN_ANSI[0x81], 0x2022);
        assert_eq!(MAC_ROMAN[0x8c], 'å' as u16);
        assert_eq!(MAC_ROMAN[0xbf], 'ø' as u16);
        assert_eq!(STANDARD[0x27], 0x2019);
        assert_eq!(STANDARD[0xf9], 'ø' as u16);
        assert_eq!(STANDARD[0xae], 0xfb01);
        assert_eq!(PDF_DOC[0x93], 0xfb01);
    }

    #[test]
    fn glyph_names() {
        assert_eq!(glyph_name_to_text("aring").as_deref(), Some("å"));
        assert_eq!(glyph_name_to_text("oslash").as_deref(), Some("ø"));
        assert_eq!(glyph_name_to_text("AE").as_deref(), Some("Æ"));
        assert_eq!(glyph_name_to_text("zcaron").as_deref(), Some("ž"));
        assert_eq!(glyph_name_to_text("longs").as_deref(), Some("ſ"));
        assert_eq!(glyph_name_to_text("fi").as_deref(), Some("fi"));
        assert_eq!(glyph_name_to_text("f_f_i").as_deref(), Some("ffi"));
        assert_eq!(glyph_name_to_text("uni00E6").as_deref(), Some("æ"));
        assert_eq!(glyph_name_to_text("uni00660069").as_deref(), Some("fi"));
        assert_eq!(glyph_name_to_text("u1F600").as_deref(), Some("\u{1f600}"));
        assert_eq!(glyph_name_to_text("a.sc").as_deref(), Some("a"));
        assert_eq!(glyph_name_to_text("omega").as_deref(), Some("ω"));
        assert_eq!(glyph_name_to_text("sigma1").as_deref(), Some("ς"));
        assert_eq!(glyph_name_to_text("nonsense-glyph"), None);
    }

    #[test]
    fn cff_strings_follow_the_iso_adobe_order() {
        assert_eq!(cff_standard_string(1), Some("space"));
        assert_eq!(cff_standard_string(17), Some("zero"));
        assert_eq!(cff_standard_string(34), Some("A"));
        assert_eq!(cff_standard_string(109), Some("fi"));
        assert_eq!(cff_standard_string(147), Some("oslash"));
        assert_eq!(cff_standard_string(204), Some("aring"));
        assert_eq!(cff_standard_string(228), Some("zcaron"));
    }

    #[test]
    fn base14_widths() {
        let h = Base14::from_name("Helvetica").unwrap();
        assert_eq!(h.width("a"), 556.0);
        assert_eq!(h.width("å"), 556.0);
        assert_eq!(
            Base14::from_name("ABCDEF+Times-Bold"),
            Some(Base14::TimesBold)
        );
        assert_eq!(
            Base14::from_name("Courier-Oblique").unwrap().width("x"),
            600.0
        );
    }
}
