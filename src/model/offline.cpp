// FlowList: FlowFacts packed into one record of text ids and frame numbers each.
#include "model/offline.hpp"

#include <stdexcept>

namespace sniprobe {
namespace {

constexpr char k_anomaly_separator = '\x1f';
constexpr uint32_t k_frame_escape = 0xffffffffU;

}  // namespace

uint32_t FlowList::intern(std::string_view s) {
    if (s.empty()) return 0;
    auto [it, fresh] = m_ids.try_emplace(std::string(s), static_cast<uint32_t>(m_texts.size()));
    if (fresh) m_texts.emplace_back(s);
    return it->second;
}

void FlowList::push_back(const FlowFacts& f) {
    Record r;
    r.file = intern(f.file);
    r.client = intern(f.client);
    r.server = intern(f.server);
    r.sni = intern(f.sni);
    r.hello_shape = intern(f.hello_shape);
    r.detail = intern(f.detail);
    r.icmp_router = intern(f.icmp_router);
    std::string anomalies;
    for (const auto& a : f.anomalies) {
        anomalies += a;
        anomalies += k_anomaly_separator;
    }
    r.anomalies = intern(anomalies);
    r.frames_at = m_frames.size();
    r.frames_count = static_cast<uint32_t>(f.packet_frames.size());
    r.frames_base = f.packet_frames.empty() ? 0 : f.packet_frames.front();
    for (uint64_t frame : f.packet_frames) {
        if (frame >= r.frames_base && frame - r.frames_base < k_frame_escape) {
            m_frames.push_back(static_cast<uint32_t>(frame - r.frames_base));
        } else {
            m_frames.push_back(k_frame_escape);
            m_frames.push_back(static_cast<uint32_t>(frame >> 32));
            m_frames.push_back(static_cast<uint32_t>(frame & 0xffffffffU));
        }
    }
    r.syn = f.syn_frame;
    r.synack = f.synack_frame;
    r.hello = f.hello_frame;
    r.end = f.end_frame;
    r.trial_id = f.trial_id;
    r.client_port = f.client_port;
    r.server_port = f.server_port;
    r.probe_ttl = f.probe_ttl ? static_cast<int16_t>(*f.probe_ttl) : int16_t{-1};
    r.outcome = static_cast<uint8_t>(f.outcome);
    r.by = static_cast<uint8_t>(f.by);
    r.end_origin = f.end_origin ? static_cast<uint8_t>(*f.end_origin) : uint8_t{0xff};
    r.sni_unknown = f.sni_unknown;
    if (m_ordered) m_order.push_back(static_cast<uint32_t>(m_records.size()));
    m_records.push_back(r);
}

FlowFacts FlowList::operator[](size_t i) const {
    const Record& r = record(i);
    FlowFacts f;
    f.trial_id = r.trial_id;
    f.file = text(r.file);
    f.client = text(r.client);
    f.server = text(r.server);
    f.client_port = r.client_port;
    f.server_port = r.server_port;
    f.sni = text(r.sni);
    f.sni_unknown = r.sni_unknown;
    f.hello_shape = text(r.hello_shape);
    f.outcome = static_cast<FlowOutcome>(r.outcome);
    f.by = static_cast<FlowSide>(r.by);
    f.detail = text(r.detail);
    if (r.probe_ttl >= 0) f.probe_ttl = r.probe_ttl;
    f.icmp_router = text(r.icmp_router);
    if (r.end_origin != 0xff) f.end_origin = static_cast<RstOrigin>(r.end_origin);
    f.syn_frame = r.syn;
    f.synack_frame = r.synack;
    f.hello_frame = r.hello;
    f.end_frame = r.end;
    f.packet_frames.reserve(r.frames_count);
    for (uint64_t at = r.frames_at; f.packet_frames.size() < r.frames_count; ++at) {
        const uint32_t word = m_frames[at];
        if (word != k_frame_escape) {
            f.packet_frames.push_back(r.frames_base + word);
        } else {
            f.packet_frames.push_back(uint64_t{m_frames[at + 1]} << 32 | m_frames[at + 2]);
            at += 2;
        }
    }
    const std::string_view anomalies = text(r.anomalies);
    for (size_t at = 0; at < anomalies.size();) {
        const size_t end = anomalies.find(k_anomaly_separator, at);
        f.anomalies.emplace_back(anomalies.substr(at, end - at));
        at = end + 1;
    }
    return f;
}

FlowView FlowList::view(size_t i) const {
    const Record& r = record(i);
    FlowView f;
    f.trial_id = r.trial_id;
    f.file = text(r.file);
    f.client = text(r.client);
    f.server = text(r.server);
    f.sni = text(r.sni);
    f.hello_shape = text(r.hello_shape);
    f.detail = text(r.detail);
    f.icmp_router = text(r.icmp_router);
    f.client_port = r.client_port;
    f.server_port = r.server_port;
    f.sni_unknown = r.sni_unknown;
    f.outcome = static_cast<FlowOutcome>(r.outcome);
    f.by = static_cast<FlowSide>(r.by);
    if (r.probe_ttl >= 0) f.probe_ttl = r.probe_ttl;
    if (r.end_origin != 0xff) f.end_origin = static_cast<RstOrigin>(r.end_origin);
    f.syn_frame = r.syn;
    f.synack_frame = r.synack;
    f.hello_frame = r.hello;
    f.end_frame = r.end;
    f.has_anomalies = r.anomalies != 0;
    return f;
}

FlowFacts FlowList::at(size_t i) const {
    if (i >= size()) throw std::out_of_range("FlowList::at");
    return (*this)[i];
}

uint64_t FlowList::first_frame(size_t i) const {
    const Record& r = record(i);
    return r.frames_count == 0 ? 0 : r.frames_base;
}

void FlowList::set_end_origin(size_t i, RstOrigin origin) {
    record(i).end_origin = static_cast<uint8_t>(origin);
}

void FlowList::set_trial_id(size_t i, int id) {
    record(i).trial_id = id;
}

void FlowList::permute(const std::vector<size_t>& order) {
    std::vector<uint32_t> next;
    next.reserve(order.size());
    for (size_t i : order) next.push_back(m_ordered ? m_order[i] : static_cast<uint32_t>(i));
    m_order = std::move(next);
    m_ordered = true;
}

}  // namespace sniprobe
