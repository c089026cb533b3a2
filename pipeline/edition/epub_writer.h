// The EPUB writer: a document as an EPUB 3 book, assembled in memory and
// zipped by zip_writer.
//
// The package files (container, package document, navigation, cover, rights
// page) are templates in templates/; the XHTML renders the HTML
// writer's body template from HtmlBodyData(), so the book and the page share
// one rendering of the model. Every XML entry is checked for well-formedness
// (libxml2) before zipping. Byte-reproducible: the identifier is a name-based
// UUID of publication, volume and issue, the same for every revision (one
// work; EPUB's release identifier is it with dcterms:modified); dcterms:modified
// is the last correction's date at midnight UTC, or for an uncorrected issue
// its date (or its year's first day); dc:date is always there (BookDate());
// the accessibility metadata is doc.accessibility's (the rights policy's),
// checked by epub_accessibility; every zip entry's time is the issue's;
// never the clock; entries are in a fixed order with `mimetype` first and
// stored. The issue page shows the corrections below the title. Pure;
// thread-safe.
#ifndef IMPRINT_PIPELINE_EDITION_EPUB_WRITER_H_
#define IMPRINT_PIPELINE_EDITION_EPUB_WRITER_H_

#include <string>
#include <vector>

#include "pipeline/edition/document.h"
#include "pipeline/edition/template_set.h"

namespace imprint {

std::string WriteEpub(const Document& doc, const TemplateSet& templates);

// One entry of a book as rendered, before zipping.
struct BookEntry {
  std::string name;           // path inside the book: "OEBPS/package.opf"
  std::string template_name;  // the template it renders: "package.opf"
  std::string text;
};

// The book's entries after `mimetype`, in the order WriteEpub zips them, each
// XML one checked well-formed (else an imprint::Error naming doc's source).
std::vector<BookEntry> RenderBook(const Document& doc, const TemplateSet& templates);

// The book's dc:date: the Date ("1998-06-19"), else its volume's
// year as the rights policy maps it ("1999", doc.rights.year), a year and no
// more: a day the issue does not give is not made up.
std::string BookDate(const Document& doc);

// Each template of the book with the names its data gives (the same for all).
std::vector<TemplateUse> EpubTemplateUses();

// Checks that the book's rights page (rights.xhtml) renders doc's copyright
// notice, holder (name and address) and license link, and its text
// (issue.xhtml) every paragraph of doc's footer; throws imprint::Error naming
// the template's file when it does not.
void CheckBookRights(const Document& doc, const TemplateSet& templates);

// Whether `xml` is well-formed XML (libxml2, no network, no tree): the check
// every XML entry of a book passes, here for the units that change entries.
bool IsWellFormedXml(const std::string& xml);

// "urn:uuid:..." (version 5): stable for a publication, volume and issue,
// whatever the revision.
std::string EpubIdentifier(const Document& doc);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_EDITION_EPUB_WRITER_H_
