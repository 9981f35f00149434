//! Relations are decided on each document's main text: different articles inside one long
//! page template (navigation, most-read lists, related-story teasers, appeals, legal footer:
//! more words than the article) are never copies of each other, in plain text or in HTML.

use crate::support::{reprint, scan, write_jsonl};
use reprint::pipeline::{DocStatus, ScanParams};
use reprint::relate::Relation;
use reprint::synth::{Generator, SynthParams};
use std::fmt::Write as _;

const SUBJECTS: [&str; 10] = [
    "Council",
    "Hospital trust",
    "Rail operator",
    "Water board",
    "University",
    "Police",
    "Airport",
    "Museum",
    "Housing charity",
    "Fire service",
];
const VERBS: [&str; 6] = [
    "warns over",
    "unveils plan for",
    "delays decision on",
    "faces questions about",
    "cuts funding for",
    "celebrates record",
];
const OBJECTS: [&str; 8] = [
    "winter parking charges",
    "the riverside footpath",
    "night bus routes",
    "school meals",
    "the old market hall",
    "flood barriers",
    "library opening hours",
    "cycle lanes",
];

/// A headline of the template's lists: no sentence, no final stop.
fn headline(i: usize) -> String {
    format!(
        "{} {} {}",
        SUBJECTS[i % SUBJECTS.len()],
        VERBS[(i / 3) % VERBS.len()],
        OBJECTS[(i / 2) % OBJECTS.len()]
    )
}

/// One related-story teaser: a headline and a sentence of summary.
fn teaser(i: usize) -> String {
    format!(
        "{}\nThe {} said on {} that residents would be consulted before any change to {} \
         was made, and that a full report would follow in the spring.",
        headline(i + 40),
        SUBJECTS[(i + 3) % SUBJECTS.len()].to_lowercase(),
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"][i % 5],
        OBJECTS[(i + 5) % OBJECTS.len()]
    )
}

/// The header and the footer of one outlet's page, about 2,000 words together.
fn page_template() -> (String, String) {
    let mut header = String::from(
        "The Riverside Courier\n\
         Home | News | Sport | Business | Opinion | Culture | Weather | Jobs | Contact\n\
         Trending: Budget | Flood defences | School places | Rail strike\n\
         Subscribe today and get your first month free\n\nMost read\n",
    );
    for i in 0..30 {
        writeln!(header, "{}", headline(i)).unwrap();
    }
    header.push('\n');
    let mut footer =
        String::from("\nShare this article: Facebook | X | Email | WhatsApp\n\nRelated stories\n");
    for i in 0..45 {
        writeln!(footer, "{}\n", teaser(i)).unwrap();
    }
    footer.push_str(
        "About the Courier\n\
         The Riverside Courier has reported on the towns and villages of the valley since \
         1871. Our newsroom is independent and owned by a charitable trust, which means that \
         every penny we earn is spent on journalism rather than paid out to shareholders. We \
         cover councils, courts, schools, hospitals and sport, and we publish letters from \
         readers every day.\n\n\
         Support local journalism\n\
         Reporting costs money. If you value what we do, please consider making a regular \
         contribution: it keeps our reporters at council meetings and in the courts, and it \
         keeps the website free for everyone who cannot afford to pay.\n\n\
         We use cookies to give you the best experience on our website. By continuing to \
         browse you agree to our use of cookies. You can change your settings at any time.\n\n\
         Terms of use | Privacy policy | Cookie settings | Complaints | Advertise with us\n\
         © 2025 Riverside Courier Ltd. All rights reserved. Registered in England and Wales. \
         The Courier is a member of the independent press standards body and abides by its \
         code of practice. If you have a complaint about our coverage, write to the editor \
         at the address below; we aim to reply within ten working days.\n",
    );
    (header, footer)
}

/// An article with its title inside the page template.
fn in_template((header, footer): &(String, String), title: &str, body: &str) -> String {
    format!("{header}{title}\n\n{body}\n{footer}")
}

/// The first paragraphs of `docs` different generated articles, cut to about 120 words.
fn short_articles(docs: usize) -> Vec<(String, String)> {
    let generator = Generator::new(SynthParams {
        docs,
        copy_rate: 0.0,
        seed: 13,
        ..SynthParams::default()
    })
    .unwrap();
    (0..docs)
        .map(|i| {
            let (article, _) = generator.article(i);
            let mut words = 0;
            let paragraphs: Vec<&str> = article
                .text
                .split("\n\n")
                .take_while(|p| {
                    let take = words < 120;
                    words += p.split_whitespace().count();
                    take
                })
                .collect();
            (article.title, paragraphs.join("\n\n"))
        })
        .collect()
}

#[test]
fn articles_in_one_long_template_are_not_copies() {
    let template = page_template();
    let (header, footer) = &template;
    let template_words = header.split_whitespace().count() + footer.split_whitespace().count();
    assert!(
        template_words >= 2000,
        "the template has {template_words} words"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pages.jsonl");
    let articles = short_articles(200);
    for (_, body) in &articles {
        assert!(body.split_whitespace().count() * 5 < template_words);
    }
    let pages: Vec<(String, String)> = articles
        .iter()
        .enumerate()
        .map(|(i, (title, body))| (format!("page-{i:03}"), in_template(&template, title, body)))
        .collect();
    write_jsonl(&path, &pages);
    let result = scan(std::slice::from_ref(&path), &ScanParams::default());
    let related: Vec<_> = result
        .pairs
        .iter()
        .filter(|p| p.relation() != Relation::None)
        .collect();
    assert!(related.is_empty(), "{} related pairs", related.len());
    for doc in &result.docs {
        assert_eq!(doc.status, DocStatus::Unique, "{doc:?}");
    }
    // `explain` gives the scan's verdict, and says why.
    let explained = reprint()
        .args(["explain", "page-000", "page-001"])
        .arg(&path)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let explained = String::from_utf8(explained).unwrap();
    assert!(
        explained.contains("relation: none: the shared text would make a copy, but it recurs"),
        "{explained}"
    );
}

/// The other side: copies of one story inside the same template, each with a word of its
/// own changed in a different paragraph, are still copies. Their lines recur too (in every
/// copy), but what each has of its own, its edited line, is most of it in the others.
#[test]
fn edited_copies_in_one_long_template_are_still_copies() {
    let template = page_template();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pages.jsonl");
    let articles = short_articles(50);
    let mut pages: Vec<(String, String)> = articles
        .iter()
        .enumerate()
        .map(|(i, (title, body))| (format!("page-{i:03}"), in_template(&template, title, body)))
        .collect();
    let (title, story) = &articles[0];
    let paragraphs: Vec<&str> = story.split("\n\n").collect();
    for copy in 0..5 {
        let mut edited: Vec<String> = paragraphs.iter().map(|p| p.to_string()).collect();
        let paragraph = copy % edited.len();
        let mut words: Vec<String> = edited[paragraph].split(' ').map(String::from).collect();
        let at = 2 + copy % (words.len() - 2);
        words[at] = format!("edited{copy}");
        edited[paragraph] = words.join(" ");
        let text = in_template(&template, title, &edited.join("\n\n"));
        pages.push((format!("copy-{copy}"), text));
    }
    write_jsonl(&path, &pages);
    let result = scan(&[path], &ScanParams::default());
    let cluster_of = |id: &str| {
        result
            .docs
            .iter()
            .find(|d| d.id.as_deref() == Some(id))
            .unwrap()
            .cluster
    };
    let story_cluster = cluster_of("page-000");
    assert!(story_cluster.is_some());
    for copy in 0..5 {
        assert_eq!(
            cluster_of(&format!("copy-{copy}")),
            story_cluster,
            "copy-{copy}"
        );
    }
    for i in 1..50 {
        assert_eq!(cluster_of(&format!("page-{i:03}")), None, "page-{i:03}");
    }
}

/// A wire story carried by several papers, each adding a local sentence of its own and
/// nothing else: the story's lines recur in every copy, each copy's sentence in none, and
/// the copies are still copies.
#[test]
fn copies_with_a_local_sentence_each_are_still_copies() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wire.jsonl");
    let articles = short_articles(20);
    let (_, story) = &articles[0];
    let places = ["Ashford", "Brill", "Corfe", "Dunster", "Eyam", "Frome"];
    let mut records: Vec<(String, String)> = places
        .iter()
        .enumerate()
        .map(|(i, place)| {
            let local = format!(
                "In {place}, the parish council said it would hold an open meeting next week so \
                 that residents could put their questions about the plans to the county officers."
            );
            (format!("copy-{i}"), format!("{story}\n\n{local}"))
        })
        .collect();
    for (i, (_, body)) in articles.iter().enumerate().skip(1) {
        records.push((format!("other-{i}"), body.clone()));
    }
    write_jsonl(&path, &records);
    let result = scan(&[path], &ScanParams::default());
    let clusters: Vec<_> = result.docs.iter().map(|d| d.cluster).collect();
    assert!(clusters[0].is_some());
    assert!(
        clusters[..places.len()].iter().all(|c| *c == clusters[0]),
        "{clusters:?}"
    );
    assert!(
        clusters[places.len()..].iter().all(Option::is_none),
        "{clusters:?}"
    );
}

#[test]
fn html_articles_in_one_long_template_are_not_copies() {
    let (header, footer) = page_template();
    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("pages");
    std::fs::create_dir(&pages).unwrap();
    // Lists of headlines are lists of links; prose blocks are paragraphs, a teaser's
    // headline a linked heading.
    let as_html = |text: &str| -> String {
        text.split("\n\n")
            .map(|block| {
                let lines: Vec<&str> = block.lines().collect();
                if lines.len() > 2 {
                    let items: String = lines
                        .iter()
                        .enumerate()
                        .map(|(i, line)| format!("<li><a href=\"/story/{i}\">{line}</a></li>"))
                        .collect();
                    format!("<ul>{items}</ul>\n")
                } else if let [heading, summary] = lines[..] {
                    format!("<h3><a href=\"/related\">{heading}</a></h3><p>{summary}</p>\n")
                } else {
                    format!("<p>{block}</p>\n")
                }
            })
            .collect()
    };
    for (i, (title, body)) in short_articles(60).iter().enumerate() {
        let paragraphs: String = body
            .split("\n\n")
            .map(|p| format!("<p>{p}</p>\n"))
            .collect();
        let page = format!(
            "<!DOCTYPE html><html><head><title>{title} | The Riverside Courier</title></head>\
             <body><header>{}</header><main><article><h1>{title}</h1>{paragraphs}</article>\
             </main><aside>{}</aside><footer>{}</footer></body></html>",
            as_html(&header),
            as_html(&footer[..footer.len() / 2]),
            as_html(&footer[footer.len() / 2..]),
        );
        std::fs::write(pages.join(format!("page-{i:03}.html")), page).unwrap();
    }
    let out = dir.path().join("report");
    reprint()
        .arg("scan")
        .arg(&pages)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let pairs = std::fs::read_to_string(out.join("pairs.jsonl")).unwrap();
    assert_eq!(pairs.lines().count(), 0, "{pairs}");
    let docs = std::fs::read_to_string(out.join("docs.jsonl")).unwrap();
    assert_eq!(docs.lines().count(), 60);
    assert!(
        docs.lines().all(|l| l.contains(r#""status":"unique""#)),
        "{docs}"
    );
}

#[test]
fn a_text_that_is_all_boilerplate_is_rejected_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("junk.jsonl");
    let junk = "Home | News | Sport | Business | Opinion | Culture | Weather\n\
                Share this article: Facebook | X | Email\n\
                Subscribe to our newsletter\n© 2025 Riverside Courier. All rights reserved.";
    let record = |id: &str, text: &str| serde_json::json!({"id": id, "text": text}).to_string();
    let story = "The council approved the harbour budget on Tuesday after a long debate.";
    let lines = [record("a", junk), record("b", junk), record("story", story)];
    std::fs::write(&path, lines.join("\n")).unwrap();
    let result = scan(std::slice::from_ref(&path), &ScanParams::default());
    assert_eq!(result.docs[2].status, DocStatus::Unique);
    for doc in &result.docs[..2] {
        assert_eq!(doc.status, DocStatus::Rejected);
        let reason = doc.reason.as_ref().unwrap().to_string();
        assert!(reason.starts_with("no main text: 0 of its"), "{reason}");
    }
    assert!(result.pairs.is_empty());
    // `dedup` keeps both: neither is matched on its junk.
    let feed = reprint()
        .arg("dedup")
        .arg(&path)
        .args(["-o", "-"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(String::from_utf8(feed).unwrap().lines().count(), 3);
}
