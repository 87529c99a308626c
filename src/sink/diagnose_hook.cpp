// diagnose's sink step (see diagnose_hook.hpp). The query asks for our own address
// first; when the sink knows no connection from it (we are behind a NAT, so it saw
// another address), it asks again for every client in the window and lets the ISN and
// time+SNI keys of the correlation find ours.
#include "sink/diagnose_hook.hpp"

#include "sink/client.hpp"
#include "sink/correlate.hpp"
#include "sink/server.hpp"
#include "util/clock.hpp"

namespace sniprobe::sink {

namespace {

void record_failure(Diagnosis& d, SinkReport report, const std::string& why) {
    report.failure = why;
    d.notes.push_back("sink: " + why);
    d.sink = std::move(report);
}

}  // namespace

void correlate(Diagnosis& d, const SinkClientOptions& options) {
    SinkReport empty;
    empty.url = options.url;
    auto url = parse_sink_url(options.url);
    if (!url) return record_failure(d, empty, url.error().message);
    auto token = read_token_file(options.token_file);
    if (!token) return record_failure(d, empty, token.error().message);

    CorrelationContext context;
    context.run_start_unix = options.run_start_unix;
    if (!d.trials.empty())
        context.local_address =
            local_address_towards(d.trials.front().address, d.trials.front().port);

    SinkQuery query;
    query.client = context.local_address;
    query.since_unix = options.run_start_unix - context.clock_slack_s;
    query.until_unix = realtime_seconds() + context.clock_slack_s;
    auto doc = fetch_records(*url, *token, query, options.timeout_ms);
    if (doc && doc->records.empty() && !query.client.empty()) {
        query.client.clear();  // behind a NAT the sink saw another address
        doc = fetch_records(*url, *token, query, options.timeout_ms);
    }
    if (!doc) return record_failure(d, empty, doc.error().message);

    SinkReport report = correlate_trials(d.trials, doc->records, context);
    report.url = options.url;
    if (report.trials_matched == 0)
        d.notes.push_back(
            "sink: none of this run's connections were found in the sink's records "
            "(is it capturing on the right interface and port?)");
    d.sink = std::move(report);
}

}  // namespace sniprobe::sink
