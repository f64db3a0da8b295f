#include "http-frontend/alertmanager_template.hpp"

#include <algorithm>
#include <ctime>

#include "smpp/codec/text/segment.hpp"

namespace bindery::http {
namespace {

using Node = AlertTemplate::Node;

bool known_name(std::string_view n) {
    static constexpr std::string_view kPlain[] = {
        "status",    "count",   "firing", "resolved",  "truncated",   "receiver",
        "alertname", "summary", "scope",  "starts_at", "external_url"};
    if (std::find(std::begin(kPlain), std::end(kPlain), n) != std::end(kPlain)) return true;
    static constexpr std::string_view kPrefixes[] = {"labels.", "annotations.", "group_labels.",
                                                     "common_labels.", "common_annotations."};
    for (const auto p : kPrefixes) {
        if (n.size() > p.size() && n.substr(0, p.size()) == p) return true;
    }
    return false;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

// Parses until `{{/closing}}` (or the end when closing is empty).
Expected<std::vector<Node>, std::string> parse(std::string_view& in, std::string_view closing) {
    std::vector<Node> out;
    for (;;) {
        const auto open = in.find("{{");
        if (open == std::string_view::npos) {
            if (!closing.empty())
                return Unexpected("section {{#" + std::string(closing) + "}} is not closed");
            if (!in.empty()) out.push_back({Node::Kind::text, std::string(in), {}});
            in = {};
            return out;
        }
        if (open > 0) out.push_back({Node::Kind::text, std::string(in.substr(0, open)), {}});
        in.remove_prefix(open + 2);
        const auto close = in.find("}}");
        if (close == std::string_view::npos)
            return Unexpected(std::string("\"{{\" without \"}}\""));
        std::string_view tag = trim(in.substr(0, close));
        in.remove_prefix(close + 2);
        if (tag.empty()) return Unexpected(std::string("empty {{}}"));
        const char sigil = tag.front();
        if (sigil == '/') {
            const auto name = trim(tag.substr(1));
            if (name != closing) {
                return Unexpected("{{/" + std::string(name) + "}} closes " +
                                  (closing.empty() ? std::string("nothing")
                                                   : "{{#" + std::string(closing) + "}}"));
            }
            return out;
        }
        if (sigil == '#' || sigil == '^') {
            const auto name = trim(tag.substr(1));
            if (!known_name(name)) return Unexpected("unknown name \"" + std::string(name) + "\"");
            auto children = parse(in, name);
            if (!children) return children;
            out.push_back({sigil == '#' ? Node::Kind::section : Node::Kind::inverted,
                           std::string(name), std::move(*children)});
            continue;
        }
        if (!known_name(tag)) return Unexpected("unknown name \"" + std::string(tag) + "\"");
        out.push_back({Node::Kind::value, std::string(tag), {}});
    }
}

std::string lookup(const LabelSet& common, std::string_view key, const AlertContext& c,
                   bool annotations) {
    if (const auto it = common.find(key); it != common.end()) return it->second;
    for (const auto* a : c.alerts) {
        const LabelSet& set = annotations ? a->annotations : a->labels;
        if (const auto it = set.find(key); it != set.end()) return it->second;
    }
    return {};
}

std::string find_in(const LabelSet& set, std::string_view key) {
    const auto it = set.find(key);
    return it == set.end() ? std::string() : it->second;
}

std::string format_minute(router::SystemTime t) {
    const std::time_t secs = router::SystemClock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
    return buf;
}

std::string value(std::string_view name, const AlertContext& c) {
    const AlertmanagerPayload& p = *c.payload;
    if (name == "status") return c.resolved ? "RESOLVED" : "FIRING";
    if (name == "count") return std::to_string(c.resolved ? c.resolved_count : c.firing);
    if (name == "firing") return std::to_string(c.firing);
    if (name == "resolved") return std::to_string(c.resolved_count);
    if (name == "truncated")
        return p.truncated_alerts > 0 ? std::to_string(p.truncated_alerts) : std::string();
    if (name == "receiver") return p.receiver;
    if (name == "external_url") return p.external_url;
    if (name == "alertname") return lookup(p.common_labels, "alertname", c, false);
    if (name == "summary") {
        auto s = lookup(p.common_annotations, "summary", c, true);
        return s.empty() ? lookup(p.common_annotations, "description", c, true) : s;
    }
    if (name == "scope") {
        for (const char* key : {"service", "job", "instance"}) {
            auto s = lookup(p.common_labels, key, c, false);
            if (!s.empty()) return s;
        }
        return {};
    }
    if (name == "starts_at") {
        if (c.alerts.empty()) return {};
        auto earliest = c.alerts.front()->starts_at;
        for (const auto* a : c.alerts) earliest = std::min(earliest, a->starts_at);
        return format_minute(earliest);
    }
    const auto dot = name.find('.');
    const auto prefix = name.substr(0, dot);
    const auto key = name.substr(dot + 1);
    if (prefix == "labels") return lookup(p.common_labels, key, c, false);
    if (prefix == "annotations") return lookup(p.common_annotations, key, c, true);
    if (prefix == "group_labels") return find_in(p.group_labels, key);
    if (prefix == "common_labels") return find_in(p.common_labels, key);
    if (prefix == "common_annotations") return find_in(p.common_annotations, key);
    return {};
}

void render_nodes(const std::vector<Node>& nodes, const AlertContext& c, std::string& out) {
    for (const auto& n : nodes) {
        switch (n.kind) {
            case Node::Kind::text: out += n.text; break;
            case Node::Kind::value: out += value(n.text, c); break;
            case Node::Kind::section:
                if (!value(n.text, c).empty()) render_nodes(n.children, c, out);
                break;
            case Node::Kind::inverted:
                if (value(n.text, c).empty()) render_nodes(n.children, c, out);
                break;
        }
    }
}

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U; }

}  // namespace

Expected<AlertTemplate, std::string> AlertTemplate::compile(std::string_view text) {
    std::string_view in = text;
    auto nodes = parse(in, {});
    if (!nodes) return Unexpected(std::move(nodes).error());
    AlertTemplate t;
    t.nodes_ = std::move(*nodes);
    return t;
}

std::string AlertTemplate::render(const AlertContext& context) const {
    std::string out;
    if (context.payload == nullptr) return out;
    render_nodes(nodes_, context, out);
    return out;
}

std::size_t sms_segments(std::string_view utf8) {
    auto n = smpp::count_segments(utf8);
    return n ? n->segments : 0;
}

std::string trim_to_segments(std::string_view utf8, std::size_t max_segments) {
    if (max_segments == 0) max_segments = 1;
    const auto whole = smpp::count_segments(utf8);
    if (whole && whole->segments <= max_segments) return std::string(utf8);

    // Cut points: every code point boundary.
    std::vector<std::size_t> cuts;
    cuts.reserve(utf8.size());
    for (std::size_t i = 0; i < utf8.size(); ++i) {
        if (!is_continuation(utf8[i])) cuts.push_back(i);
    }
    auto candidate = [&](std::size_t cut) {
        std::string_view head = utf8.substr(0, cut);
        while (!head.empty() && (head.back() == ' ' || head.back() == '\n' || head.back() == '\t'))
            head.remove_suffix(1);
        std::string gsm(head);
        gsm += "...";
        auto g = smpp::count_segments(gsm);
        if (g && g->alphabet == smpp::Alphabet::gsm7)
            return std::make_pair(std::move(gsm), g->segments);
        std::string other(head);
        other += "\xE2\x80\xA6";  // U+2026 HORIZONTAL ELLIPSIS
        auto o = smpp::count_segments(other);
        return std::make_pair(std::move(other), o ? o->segments : max_segments + 1);
    };
    // The largest number of code points k whose prefix (plus ellipsis) fits: the segment count
    // never decreases as the prefix grows, so a binary search finds it. The whole text does not
    // fit.
    const std::size_t n = cuts.size();
    std::size_t lo = 0;
    std::size_t hi = n == 0 ? 0 : n - 1;
    std::string best = candidate(0).first;
    while (lo < hi) {
        const std::size_t mid = lo + (hi - lo + 1) / 2;
        auto [text, segments] = candidate(cuts[mid]);  // the first `mid` code points
        if (segments <= max_segments) {
            best = std::move(text);
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    return best;
}

}  // namespace bindery::http
