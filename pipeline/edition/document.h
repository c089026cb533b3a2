// The document model: one issue of one periodical, between reader and writers.
//
// The raw reader fills the identity and the articles; the rights stage adds
// the publication's display data, the canonical footer and the rights
// metadata; the writers only read it. Text is UTF-8, kept to the letter: no
// field holds markup, and every writer escapes for its own format. A plain
// value type; thread-compatible (share a const Document freely).
#ifndef IMPRINT_PIPELINE_EDITION_DOCUMENT_H_
#define IMPRINT_PIPELINE_EDITION_DOCUMENT_H_

#include <string>
#include <vector>

#include "pipeline/base/error.h"

namespace imprint {

struct Paragraph {
  std::string text;  // soft wraps joined with one space; no line breaks
  int line = 0;      // first line in the raw file
};

struct Article {
  std::string headline;  // empty for an issue without headlines
  int line = 0;          // line of the headline, or of the first paragraph
  std::vector<Paragraph> paragraphs;
};

struct Publication {
  std::string slug;          // "monitor": lower-case ASCII letters, digits, '-'
  std::string display_name;  // "The Monitor"
  std::string language;      // BCP 47, e.g. "en"
};

struct Rights {
  std::string holder;        // "The Jamestown Foundation"
  std::string holder_url;
  int first_year = 0;        // of the publication
  int year = 0;              // of this issue
  std::string copyright;     // "Copyright (c) 1995-1999 The Jamestown Foundation"
  std::string statement;     // one line: the rights reserved
  std::string license_url;   // the terms subscribers accept
  std::vector<std::string> footer;  // the canonical footer, one string a paragraph
};

// What a book declares of its accessibility (EPUB Accessibility 1.1 and
// schema.org's vocabulary), as the rights policy's <accessibility> gives it.
struct Accessibility {
  std::string conforms_to;   // "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
  std::string certified_by;  // who certifies the conformance
  std::vector<std::string> access_modes;      // "textual", ...
  std::vector<std::string> sufficient_modes;  // each a comma list: "textual", "textual,visual"
  std::vector<std::string> features;          // "structuralNavigation", ...
  std::vector<std::string> hazards;           // "none", ...
  std::string summary;
};

// A correction of published text (docs/editions.md), as a raw header's
// `Correction:` line records it: the k-th correction makes revision k+1.
struct Correction {
  std::string date;        // YYYY-MM-DD
  std::string supersedes;  // SHA-256 (lower-case hex) of revision k's manifest.json
  std::string note;        // what was corrected: one line of text
  int line = 0;            // in the raw file
};

struct Document {
  std::string source;        // the raw file's path, for diagnostics
  std::string header_name;   // the publication as the raw header names it
  int header_line = 0;       // line of the Publication field
  int volume = 0;
  int issue = 0;
  std::string date;          // YYYY-MM-DD, or empty when the header has none
  std::vector<Correction> corrections;  // in the header's order, dates never decreasing
  std::string embargo;       // release time "2030-01-01T06:00:00Z" (UTC), or empty
  Publication publication;
  Rights rights;
  Accessibility accessibility;
  std::string title;         // "The Monitor, Volume 5, Issue 77"
  std::vector<Article> articles;
  std::vector<Diagnostic> warnings;
};

// The revision of the edition `doc` builds: 1, and one more per correction.
inline int Revision(const Document& doc) { return static_cast<int>(doc.corrections.size()) + 1; }

// "The Monitor, Volume 5, Issue 77": the one title formula, for the reader's
// title (the raw header's name) and the rights stage's (the display name).
inline std::string IssueTitle(const std::string& name, int volume, int issue) {
  return name + ", Volume " + std::to_string(volume) + ", Issue " + std::to_string(issue);
}

// "article-3": the anchor of a document's `number`th article (from 1), one
// spelling for the page's ids and the book's table of contents.
inline std::string ArticleId(size_t number) { return "article-" + std::to_string(number); }

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_EDITION_DOCUMENT_H_
