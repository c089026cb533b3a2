// The server's catalogs for reading apps (docs/http.md "Feeds"): OPDS 1.2
// (a navigation feed at /opds, paged acquisition feeds per publication, per
// volume and of the most recent issues, and the Authentication for OPDS 1.0
// document at /opds/auth) and public Atom (RFC 4287) feeds of new issues at
// /feed.atom and /feed/<pub>.atom. All are rendered from a FeedModel
// (feed_catalog.h: the signed catalog's live, released editions), with no
// clock: a feed's `updated` is its newest entry's date (an issue's date, or
// its last correction's), so the same catalog gives the same bytes.
//
// Acquisition links point at the download routes (/editions/...): a copy
// fetched through a feed is the same personalised, signed, audited copy as
// any other. Which formats an entry offers is the caller's to say
// (FormatPermits: the license's tier, as decision.h decides); the feeds only
// list. Text is escaped for XML here (the five markup characters; C0
// controls other than tab and line breaks, U+FFFE and U+FFFF are dropped, as
// XML 1.0 cannot carry them; the text is otherwise taken to be UTF-8, as the
// signed catalog's is). Pure functions; thread-safe.
#ifndef IMPRINT_PIPELINE_SERVER_OPDS_FEEDS_H_
#define IMPRINT_PIPELINE_SERVER_OPDS_FEEDS_H_

#include <functional>
#include <string>
#include <string_view>

#include "pipeline/license/decision.h"
#include "pipeline/license/license_store.h"  // AuditRow
#include "pipeline/server/feed_catalog.h"
#include "pipeline/server/http_route.h"
#include "pipeline/server/http_server.h"

namespace imprint {

// Entries per page of an acquisition feed, and in an Atom feed.
constexpr size_t kFeedPageSize = 50;

// Whether the request's license may read `format` ("epub") of `publication`.
using FormatPermits = std::function<bool(const std::string& publication, const std::string& format)>;

// The answer to a route of kind kOpds, kOpdsAuth or kAtom: 200 with the
// document, or 404 (a publication or volume with no live edition, a page past
// the last). `permits` is asked only for acquisition feeds.
HttpResponse AnswerFeed(const FeedModel& model, const Route& route, const FormatPermits& permits);

// What the request's license comes to for reading `format` of `publication`
// (Decide()); null when the request carries no credentials.
using FeedDecision = std::function<Decision(const std::string& publication, const std::string& format)>;
// The server's answer to a denial (a 401: the challenge), as for an edition file.
using FeedChallenge = std::function<HttpResponse(const AuditRow& row, int status, const std::string& detail)>;

// AnswerFeed() as the server calls it: an OPDS feed needs credentials whose
// signature checks out (else `challenge`, so apps that wait for one send
// theirs) and offers the formats `decide` permits (asked once per publication
// and format); /opds/auth and the Atom feeds are public.
HttpResponse AnswerFeed(const FeedModel& model, const Route& route, const FeedDecision& decide,
                        const FeedChallenge& challenge);

// The parts, for tests and the bench.
std::string OpdsNavigationFeed(const FeedModel& model);
std::string OpdsAuthenticationDocument();

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SERVER_OPDS_FEEDS_H_
