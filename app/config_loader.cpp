#include "app/config_loader.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <yaml-cpp/yaml.h>

#include "app/config_values.hpp"

namespace bindery::app {

std::string ConfigError::to_string() const {
    std::string out = file;
    if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
    out += ": ";
    if (!key.empty()) out += key + ": ";
    out += message;
    return out;
}

std::string format_errors(const std::vector<ConfigError>& errors) {
    std::string out;
    for (const auto& e : errors) out += e.to_string() + "\n";
    return out;
}

std::optional<std::string> SystemSecretResolver::env(const std::string& name) const {
    const char* value = std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe): startup only
    if (value == nullptr) return std::nullopt;
    return std::string(value);
}

Expected<std::string, std::string> SystemSecretResolver::read_file(const std::string& path) const {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
        return Unexpected(std::string("Is a directory"));
    std::ifstream in(path, std::ios::binary);
    if (!in) return Unexpected(std::string(std::strerror(errno)));  // NOLINT(concurrency-mt-unsafe)
    std::ostringstream content;
    content << in.rdbuf();
    if (in.bad()) return Unexpected(std::string("read error"));
    return content.str();
}

namespace {

using YAML::Node;

constexpr std::size_t kMaxSystemId = 15;    // SMPP 3.4: C-Octet String, max 16 with the NUL
constexpr std::size_t kMaxPassword = 8;     // max 9 with the NUL
constexpr std::size_t kMinAdminKey = 16;    // the operator key of /admin/v1 and /ui/
constexpr std::size_t kMaxSystemType = 12;  // max 13 with the NUL
constexpr std::size_t kMaxServiceType = 5;  // max 6 with the NUL

std::string quoted(std::string_view s) {
    std::string out = "\"";
    const std::size_t limit = 60;
    for (std::size_t i = 0; i < s.size() && i < limit; ++i) {
        const char c = s[i];
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    if (s.size() > limit) out += "...";
    return out + "\"";
}

std::string describe_node(const Node& n) {
    switch (n.Type()) {
        case YAML::NodeType::Null: return "null";
        case YAML::NodeType::Scalar: return quoted(n.Scalar());
        case YAML::NodeType::Sequence: return "a sequence";
        case YAML::NodeType::Map: return "a mapping";
        case YAML::NodeType::Undefined: break;
    }
    return "nothing";
}

std::string format_number(double v) {
    std::ostringstream out;
    out << v;
    return out.str();
}

std::string join_path(const std::string& base, std::string_view key) {
    if (base.empty()) return std::string(key);
    return base + "." + std::string(key);
}

std::string closest(std::string_view word, const std::vector<std::string>& candidates) {
    std::string best;
    std::size_t best_distance = std::numeric_limits<std::size_t>::max();
    for (const auto& c : candidates) {
        const auto d = edit_distance(word, c);
        if (d < best_distance) {
            best_distance = d;
            best = c;
        }
    }
    const std::size_t allowed = std::max<std::size_t>(1, std::min<std::size_t>(3, word.size() / 3));
    if (best_distance <= allowed) return best;
    return {};
}

template <class E>
using EnumTable = std::initializer_list<std::pair<std::string_view, E>>;

enum class Ref { carrier, smpp_carrier, client, group, route, account };

struct Reference {
    Ref kind;
    std::string name;
    YAML::Mark mark;
    std::string path;
    bool only_static_groups = false;
};

struct Field {
    std::string name;
    Node key;
    Node value;
    bool used = false;
};

class Loader;

// The keys of one mapping. Readers take keys by name; finish() reports every key nobody took.
class MapReader {
public:
    MapReader(Loader& loader, const Node& map, std::string path);
    MapReader(Loader& loader, const Node& map, std::string path, const YAML::Mark& mark)
        : MapReader(loader, map, std::move(path)) {
        mark_ = mark;
    }

    Field* take(std::string_view name) {
        known_.emplace_back(name);
        for (auto& f : fields_) {
            if (f.name == name) {
                f.used = true;
                if (f.value.IsNull()) return nullptr;  // "key:" with no value = not given
                return &f;
            }
        }
        return nullptr;
    }
    [[nodiscard]] bool present(std::string_view name) const {
        return std::any_of(fields_.begin(), fields_.end(),
                           [&](const Field& f) { return f.name == name && !f.value.IsNull(); });
    }
    [[nodiscard]] std::string path(std::string_view key) const { return join_path(path_, key); }
    [[nodiscard]] const std::string& path() const noexcept { return path_; }
    [[nodiscard]] const YAML::Mark& mark() const noexcept { return mark_; }
    // Where the value of `name` (or of its first present spelling) is; the mapping itself
    // otherwise.
    [[nodiscard]] YAML::Mark value_mark(std::initializer_list<std::string_view> names) const {
        for (const auto name : names) {
            for (const auto& f : fields_) {
                if (f.name == name && !f.value.IsNull()) return f.value.Mark();
            }
        }
        return mark_;
    }
    [[nodiscard]] YAML::Mark value_mark(std::string_view name) const { return value_mark({name}); }
    // The meaning of the remaining keys is unknown (no valid `kind`): don't report them.
    void skip_rest() {
        for (auto& f : fields_) f.used = true;
    }
    void finish();

private:
    Loader& loader_;
    std::string path_;
    YAML::Mark mark_;
    std::vector<Field> fields_;
    std::vector<std::string> known_;
};

class Loader {
public:
    Loader(std::string file, const LoadOptions& options)
        : file_(std::move(file)),
          options_(options),
          secrets_(options.secrets != nullptr ? *options.secrets : system_) {}

    std::vector<ConfigError> errors;

    void error(const YAML::Mark& mark, std::string key, std::string message) {
        ConfigError e;
        e.file = file_;
        if (!mark.is_null()) {
            e.line = mark.line + 1;
            e.column = mark.column + 1;
        }
        e.key = std::move(key);
        e.message = std::move(message);
        errors.push_back(std::move(e));
    }
    void error(const Node& at, std::string key, std::string message) {
        error(at.Mark(), std::move(key), std::move(message));
    }
    void missing(const MapReader& m, std::string_view key, std::string_view hint = {}) {
        std::string message = "required key is missing";
        if (!hint.empty()) message += " (" + std::string(hint) + ")";
        error(m.mark(), m.path(key), std::move(message));
    }

    // --- structure -----------------------------------------------------------------------------

    // Reads a mapping (null = empty mapping). Returns false when the node is not a mapping.
    template <class F>
    bool object(const Node& node, const std::string& path, F&& fn) {
        if (!node.IsMap() && !node.IsNull()) {
            error(node, path, "expected a mapping, got " + describe_node(node));
            return false;
        }
        MapReader reader(*this, node, path);
        fn(reader);
        reader.finish();
        return true;
    }
    // An absent or empty section reads as an empty mapping located at its parent, so that a missing
    // required key inside it still gets a position.
    template <class F>
    bool object(MapReader& m, std::string_view key, F&& fn) {
        Field* f = m.take(key);
        if (f == nullptr) {
            MapReader reader(*this, Node(YAML::NodeType::Null), m.path(key), m.mark());
            fn(reader);
            reader.finish();
            return true;
        }
        return object(f->value, m.path(key), std::forward<F>(fn));
    }
    // Every element of a sequence; fn(node, path).
    template <class F>
    bool list(MapReader& m, std::string_view key, F&& fn, bool required = false) {
        Field* f = m.take(key);
        if (f == nullptr) {
            if (required) missing(m, key);
            return false;
        }
        const auto path = m.path(key);
        if (!f->value.IsSequence()) {
            error(f->value, path, "expected a sequence, got " + describe_node(f->value));
            return false;
        }
        std::size_t index = 0;
        for (const auto& item : f->value) {
            fn(item, path + "[" + std::to_string(index) + "]");
            ++index;
        }
        return true;
    }

    // --- scalars -------------------------------------------------------------------------------

    const Node* scalar(MapReader& m, std::string_view key, bool required, std::string_view what) {
        Field* f = m.take(key);
        if (f == nullptr) {
            if (required) missing(m, key);
            return nullptr;
        }
        if (!f->value.IsScalar()) {
            error(f->value, m.path(key),
                  "expected " + std::string(what) + ", got " + describe_node(f->value));
            return nullptr;
        }
        return &f->value;
    }

    // required: the key must be present and non-empty; non_empty: may be absent (keeping the
    // default) but not given as "".
    bool str(MapReader& m, std::string_view key, std::string& out, bool required = false,
             bool non_empty = false) {
        const Node* n = scalar(m, key, required, "a string");
        if (n == nullptr) return false;
        if ((required || non_empty) && n->Scalar().empty()) {
            error(*n, m.path(key), "must not be empty");
            return false;
        }
        out = n->Scalar();
        return true;
    }

    bool parse_int(const Node& n, const std::string& path, std::int64_t& out, std::int64_t min,
                   std::int64_t max) {
        if (!n.IsScalar()) {
            error(n, path, "expected an integer, got " + describe_node(n));
            return false;
        }
        const std::string& s = n.Scalar();
        std::string_view digits = s;
        int base = 10;
        bool negative = false;
        if (!digits.empty() && (digits.front() == '-' || digits.front() == '+')) {
            negative = digits.front() == '-';
            digits.remove_prefix(1);
        }
        if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
            base = 16;
            digits.remove_prefix(2);
        }
        std::uint64_t magnitude = 0;
        const auto [end, ec] =
            std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
        if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size()) {
            error(n, path, "expected an integer, got " + quoted(s));
            return false;
        }
        constexpr auto kLimit =
            static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
        if (magnitude > kLimit) {
            error(n, path,
                  "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                      ", got " + s);
            return false;
        }
        const auto value =
            negative ? -static_cast<std::int64_t>(magnitude) : static_cast<std::int64_t>(magnitude);
        if (value < min || value > max) {
            error(n, path,
                  "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                      ", got " + s);
            return false;
        }
        out = value;
        return true;
    }

    template <class T>
    bool integer(MapReader& m, std::string_view key, T& out, std::int64_t min, std::int64_t max,
                 bool required = false) {
        Field* f = m.take(key);
        if (f == nullptr) {
            if (required) missing(m, key);
            return false;
        }
        std::int64_t value = 0;
        if (!parse_int(f->value, m.path(key), value, min, max)) return false;
        out = static_cast<T>(value);
        return true;
    }

    bool number(MapReader& m, std::string_view key, double& out, double min, double max) {
        const Node* n = scalar(m, key, false, "a number");
        if (n == nullptr) return false;
        const std::string& s = n->Scalar();
        double value = 0;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
        if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || !std::isfinite(value)) {
            error(*n, m.path(key), "expected a number, got " + quoted(s));
            return false;
        }
        if (value < min || value > max) {
            error(*n, m.path(key),
                  "must be between " + format_number(min) + " and " + format_number(max) +
                      ", got " + s);
            return false;
        }
        out = value;
        return true;
    }

    bool boolean(MapReader& m, std::string_view key, bool& out) {
        const Node* n = scalar(m, key, false, "true or false");
        if (n == nullptr) return false;
        bool value = false;
        if (!YAML::convert<bool>::decode(*n, value)) {
            error(*n, m.path(key), "expected true or false, got " + quoted(n->Scalar()));
            return false;
        }
        out = value;
        return true;
    }

    template <class E>
    bool parse_enum(const Node& n, const std::string& path, E& out, EnumTable<E> table) {
        std::string names;
        std::vector<std::string> candidates;
        for (const auto& [name, value] : table) {
            if (!names.empty()) names += ", ";
            names += name;
            candidates.emplace_back(name);
        }
        if (!n.IsScalar()) {
            error(n, path, "expected one of " + names + ", got " + describe_node(n));
            return false;
        }
        for (const auto& [name, value] : table) {
            if (n.Scalar() == name) {
                out = value;
                return true;
            }
        }
        std::string message = "must be one of " + names + "; got " + quoted(n.Scalar());
        if (auto hint = closest(n.Scalar(), candidates); !hint.empty())
            message += " (did you mean " + quoted(hint) + "?)";
        error(n, path, std::move(message));
        return false;
    }
    template <class E>
    bool enumeration(MapReader& m, std::string_view key, E& out, EnumTable<E> table) {
        Field* f = m.take(key);
        if (f == nullptr) return false;
        return parse_enum(f->value, m.path(key), out, table);
    }

    bool duration(MapReader& m, std::string_view key, Millis& out, Millis min, Millis max) {
        const Node* n = scalar(m, key, false, "a duration");
        if (n == nullptr) return false;
        const auto value = parse_duration(n->Scalar());
        if (!value) {
            error(*n, m.path(key),
                  "invalid duration " + quoted(n->Scalar()) +
                      " (expected a number and a unit: 250ms, 10s, 5m, 2h, 1d)");
            return false;
        }
        if (*value < min || *value > max) {
            error(*n, m.path(key),
                  "must be between " + format_duration(min) + " and " + format_duration(max) +
                      ", got " + n->Scalar());
            return false;
        }
        out = *value;
        return true;
    }

    bool address(MapReader& m, std::string_view key, Address& out, bool required,
                 bool allow_port_zero) {
        const Node* n = scalar(m, key, required, "an address (host:port)");
        if (n == nullptr) return false;
        const auto value = parse_address(n->Scalar());
        if (!value) {
            error(*n, m.path(key),
                  "invalid address " + quoted(n->Scalar()) + " (expected host:port)");
            return false;
        }
        if (value->port == 0 && !allow_port_zero) {
            error(*n, m.path(key), "port must be between 1 and 65535, got 0");
            return false;
        }
        out = *value;
        return true;
    }

    bool size(MapReader& m, std::string_view key, std::uint64_t& out, std::uint64_t min,
              std::uint64_t max) {
        const Node* n = scalar(m, key, false, "a size");
        if (n == nullptr) return false;
        const auto value = parse_size(n->Scalar());
        if (!value) {
            error(*n, m.path(key),
                  "invalid size " + quoted(n->Scalar()) +
                      " (expected bytes, or a unit: KiB, MiB, kB, MB)");
            return false;
        }
        if (*value < min || *value > max) {
            error(*n, m.path(key),
                  "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                      " bytes, got " + n->Scalar());
            return false;
        }
        out = *value;
        return true;
    }

    bool strings(MapReader& m, std::string_view key, std::vector<std::string>& out) {
        std::vector<std::string> values;
        const bool given = list(m, key, [&](const Node& item, const std::string& path) {
            if (!item.IsScalar()) {
                error(item, path, "expected a string, got " + describe_node(item));
                return;
            }
            values.push_back(item.Scalar());
        });
        if (given) out = std::move(values);
        return given;
    }

    bool string_map(MapReader& m, std::string_view key, std::map<std::string, std::string>& out) {
        Field* f = m.take(key);
        if (f == nullptr) return false;
        const auto path = m.path(key);
        if (!f->value.IsMap()) {
            error(f->value, path, "expected a mapping of strings, got " + describe_node(f->value));
            return false;
        }
        for (const auto& kv : f->value) {
            if (!kv.first.IsScalar()) {
                error(kv.first, path, "keys must be strings");
                continue;
            }
            if (!kv.second.IsScalar()) {
                error(kv.second, join_path(path, kv.first.Scalar()),
                      "expected a string, got " + describe_node(kv.second));
                continue;
            }
            out[kv.first.Scalar()] = kv.second.Scalar();
        }
        return true;
    }

    // A secret: `key: value` (inline), `key: {env: NAME[, default: value]}`, `key: {file: PATH}`,
    // or the sibling shorthands `key_env: NAME` / `key_file: PATH`. Exactly one spelling.
    bool secret(MapReader& m, const std::string& key, Secret& out, bool required) {
        Field* inline_field = m.take(key);
        Field* env_field = m.take(key + "_env");
        Field* file_field = m.take(key + "_file");
        const int given = (inline_field ? 1 : 0) + (env_field ? 1 : 0) + (file_field ? 1 : 0);
        if (given == 0) {
            if (required) missing(m, key, "give " + key + ", " + key + "_env or " + key + "_file");
            return false;
        }
        if (given > 1) {
            const Field* second = file_field != nullptr ? file_field : env_field;
            error(second->key, m.path(second->name),
                  "conflicts with another spelling of the same secret; give only one of " + key +
                      ", " + key + "_env, " + key + "_file");
            return false;
        }
        if (env_field != nullptr)
            return secret_from_env(env_field->value, m.path(env_field->name), nullptr, out);
        if (file_field != nullptr)
            return secret_from_file(file_field->value, m.path(file_field->name), out);
        const Node& v = inline_field->value;
        const auto path = m.path(key);
        if (v.IsScalar()) {
            if (v.Scalar().empty()) {
                error(v, path, "must not be empty");
                return false;
            }
            out = Secret(v.Scalar(), Secret::Source::inline_value, "");
            return true;
        }
        if (!v.IsMap()) {
            error(v, path,
                  "expected a string, {env: NAME} or {file: PATH}, got " + describe_node(v));
            return false;
        }
        bool ok = false;
        object(v, path, [&](MapReader& s) {
            Field* env = s.take("env");
            Field* file = s.take("file");
            Field* fallback = s.take("default");
            if ((env != nullptr) == (file != nullptr)) {
                error(v, path, "give exactly one of env or file");
                return;
            }
            if (fallback != nullptr && env == nullptr) {
                error(fallback->key, s.path("default"), "only an env secret can have a default");
                return;
            }
            if (fallback != nullptr && !fallback->value.IsScalar()) {
                error(fallback->value, s.path("default"),
                      "expected a string, got " + describe_node(fallback->value));
                return;
            }
            ok = env != nullptr ? secret_from_env(env->value, s.path("env"),
                                                  fallback ? &fallback->value : nullptr, out)
                                : secret_from_file(file->value, s.path("file"), out);
        });
        return ok;
    }

    bool secret_from_env(const Node& name, const std::string& path, const Node* fallback,
                         Secret& out) {
        if (!name.IsScalar() || name.Scalar().empty()) {
            error(name, path, "expected an environment variable name, got " + describe_node(name));
            return false;
        }
        const std::string& var = name.Scalar();
        if (!options_.resolve_secrets) {
            out = Secret("", Secret::Source::env, var);
            return true;
        }
        auto value = secrets_.env(var);
        if (!value || value->empty()) {
            if (fallback != nullptr) {
                out = Secret(fallback->Scalar(), Secret::Source::env, var + " (default)");
                return true;
            }
            error(name, path,
                  "environment variable " + var + (value ? " is empty" : " is not set"));
            return false;
        }
        out = Secret(std::move(*value), Secret::Source::env, var);
        return true;
    }

    bool secret_from_file(const Node& file, const std::string& path, Secret& out) {
        if (!file.IsScalar() || file.Scalar().empty()) {
            error(file, path, "expected a file path, got " + describe_node(file));
            return false;
        }
        const std::string& name = file.Scalar();
        if (!options_.resolve_secrets) {
            out = Secret("", Secret::Source::file, name);
            return true;
        }
        auto content = secrets_.read_file(name);
        if (!content) {
            error(file, path, "cannot read secret file " + quoted(name) + ": " + content.error());
            return false;
        }
        std::string value = std::move(*content);
        if (!value.empty() && value.back() == '\n') value.pop_back();
        if (!value.empty() && value.back() == '\r') value.pop_back();
        if (value.empty()) {
            error(file, path, "secret file " + quoted(name) + " is empty");
            return false;
        }
        out = Secret(std::move(value), Secret::Source::file, name);
        return true;
    }

    // A file the gateway reads when it starts (TLS certificate, key, CA): read now, so that
    // check-config names it rather than serve failing later. `check`: the file is used (its TLS is
    // enabled). Like secrets, not read with resolve_secrets off (check-config --no-secrets).
    bool input_file(MapReader& m, std::string_view key, std::string& out, bool required,
                    bool check) {
        if (!str(m, key, out, required)) return false;
        if (out.empty() || !check || !options_.resolve_secrets) return true;
        auto content = secrets_.read_file(out);
        if (!content || content->empty()) {
            error(m.value_mark(key), m.path(key),
                  "cannot read '" + out +
                      "': " + (content ? std::string("the file is empty") : content.error()));
            return false;
        }
        return true;
    }

    // Checks that a resolved secret fits a protocol limit.
    void secret_max_length(const MapReader& m, const std::string& key, const Secret& s,
                           std::size_t max) {
        if (!options_.resolve_secrets || !s.is_set() || s.reveal().size() <= max) return;
        error(m.value_mark({key, key + "_env", key + "_file"}), m.path(key),
              "must be at most " + std::to_string(max) + " characters (SMPP limit), got " +
                  std::to_string(s.reveal().size()) + " (" + s.describe() + ")");
    }

    // Checks that a resolved secret is long enough to resist guessing.
    void secret_min_length(const MapReader& m, const std::string& key, const Secret& s,
                           std::size_t min) {
        if (!options_.resolve_secrets || !s.is_set() || s.reveal().size() >= min) return;
        error(m.value_mark({key, key + "_env", key + "_file"}), m.path(key),
              "must be at least " + std::to_string(min) + " characters, got " +
                  std::to_string(s.reveal().size()) + " (" + s.describe() + ")");
    }

    void max_length(const MapReader& m, std::string_view key, const std::string& value,
                    std::size_t max) {
        if (value.size() <= max) return;
        error(m.value_mark(key), m.path(key),
              "must be at most " + std::to_string(max) + " characters (SMPP limit), got " +
                  std::to_string(value.size()));
    }

    void reference(Ref kind, const Node& at, std::string path, bool only_static = false) {
        if (!at.IsScalar()) return;
        refs_.push_back(Reference{kind, at.Scalar(), at.Mark(), std::move(path), only_static});
    }

    // Records a name and reports a duplicate at its second use.
    void unique_name(std::map<std::string, YAML::Mark>& seen, const std::string& what,
                     const Field* name_field, const std::string& path) {
        if (name_field == nullptr || !name_field->value.IsScalar()) return;
        const auto& name = name_field->value.Scalar();
        auto [it, inserted] = seen.emplace(name, name_field->value.Mark());
        if (!inserted) {
            error(name_field->value, path,
                  "duplicate " + what + " name " + quoted(name) + " (first at line " +
                      std::to_string(it->second.line + 1) + ")");
        }
    }

    void load_root(const Node& root, Config& config);
    void check_references(const Config& config);

private:
    void load_process(MapReader& m, ProcessConfig& c);
    void load_logging(MapReader& m, LoggingConfig& c);
    void load_store(MapReader& m, StoreConfig& c);
    void load_credits(MapReader& m, CreditsConfig& c);
    void load_server_tls(MapReader& m, ServerTlsConfig& c);
    void load_client_tls(MapReader& m, ClientTlsConfig& c);
    void load_http(MapReader& m, HttpServerConfig& c);
    void load_callbacks(MapReader& m, CallbacksConfig& c);
    void load_smpp_server(MapReader& m, SmppServerConfig& c);
    void load_account(MapReader& m, SmppAccountConfig& c);
    void load_mo_route(MapReader& m, MoRouteConfig& c);
    void load_carrier(MapReader& m, CarrierConfig& c);
    void load_smpp_carrier(MapReader& m, SmppCarrierConfig& c);
    void load_smpp_text(MapReader& m, SmppCarrierConfig& c);
    void utc_offset(MapReader& m, std::string_view key, std::chrono::minutes& out);
    void load_kavenegar(MapReader& m, KavenegarCarrierConfig& c);
    void load_breaker(MapReader& m, BreakerSettings& c);
    void load_http_carrier(MapReader& m, HttpCarrierConfig& c);
    void load_route(MapReader& m, RouteConfig& c);
    void load_client(MapReader& m, ClientConfig& c);
    void load_alerting(MapReader& m, AlertingConfig& c);
    void load_receiver(MapReader& m, AlertReceiverConfig& c);
    void load_directory(MapReader& m, DirectoryConfig& c);
    void phone(const Node& n, const std::string& path, std::string& out);
    void url(MapReader& m, std::string_view key, std::string& out, bool required);

    std::string file_;
    LoadOptions options_;
    SystemSecretResolver system_;
    const SecretResolver& secrets_;
    std::vector<Reference> refs_;
    std::map<std::string, YAML::Mark> carrier_names_, client_names_, directory_names_, route_names_,
        receiver_names_, account_names_, mo_route_keys_;
};

MapReader::MapReader(Loader& loader, const Node& map, std::string path)
    : loader_(loader), path_(std::move(path)), mark_(map.Mark()) {
    if (!map.IsMap()) return;
    for (const auto& kv : map) {
        if (!kv.first.IsScalar()) {
            loader_.error(kv.first, path_,
                          "keys must be plain strings, got " + describe_node(kv.first));
            continue;
        }
        const std::string& name = kv.first.Scalar();
        auto previous = std::find_if(fields_.begin(), fields_.end(),
                                     [&](const Field& f) { return f.name == name; });
        if (previous != fields_.end()) {
            loader_.error(kv.first, join_path(path_, name),
                          "duplicate key (first at line " +
                              std::to_string(previous->key.Mark().line + 1) + ")");
            continue;
        }
        fields_.push_back(Field{name, kv.first, kv.second, false});
    }
}

void MapReader::finish() {
    for (const auto& f : fields_) {
        if (f.used) continue;
        std::string message = "unknown key";
        if (auto hint = closest(f.name, known_); !hint.empty())
            message += " (did you mean " + quoted(hint) + "?)";
        loader_.error(f.key, join_path(path_, f.name), std::move(message));
    }
}

// ---------------------------------------------------------------------------------------------

const EnumTable<LogLevel> kLogLevels = {
    {"trace", LogLevel::trace}, {"debug", LogLevel::debug}, {"info", LogLevel::info},
    {"warn", LogLevel::warn},   {"error", LogLevel::error}, {"critical", LogLevel::critical},
    {"off", LogLevel::off}};

const EnumTable<CaptureMode> kCaptureModes = {{"sent", CaptureMode::sent},
                                              {"delivered", CaptureMode::delivered}};

void Loader::load_root(const Node& root, Config& config) {
    object(root, "", [&](MapReader& m) {
        if (Field* v = m.take("version"); v != nullptr) {
            std::int64_t version = 0;
            parse_int(v->value, "version", version, 1, 1);
        }
        object(m, "process", [&](MapReader& s) { load_process(s, config.process); });
        object(m, "logging", [&](MapReader& s) { load_logging(s, config.logging); });
        object(m, "store", [&](MapReader& s) { load_store(s, config.store); });
        object(m, "http", [&](MapReader& s) { load_http(s, config.http); });
        object(m, "smpp_server", [&](MapReader& s) { load_smpp_server(s, config.smpp_server); });
        list(m, "carriers", [&](const Node& item, const std::string& path) {
            CarrierConfig c;
            if (object(item, path, [&](MapReader& s) { load_carrier(s, c); }))
                config.carriers.push_back(std::move(c));
        });
        list(m, "routes", [&](const Node& item, const std::string& path) {
            RouteConfig c;
            if (object(item, path, [&](MapReader& s) { load_route(s, c); }))
                config.routes.push_back(std::move(c));
        });
        list(m, "clients", [&](const Node& item, const std::string& path) {
            ClientConfig c;
            if (object(item, path, [&](MapReader& s) { load_client(s, c); }))
                config.clients.push_back(std::move(c));
        });
        object(m, "credits", [&](MapReader& s) { load_credits(s, config.credits); });
        object(m, "alerting", [&](MapReader& s) { load_alerting(s, config.alerting); });
        list(m, "directories", [&](const Node& item, const std::string& path) {
            DirectoryConfig c;
            if (object(item, path, [&](MapReader& s) { load_directory(s, c); })) {
                config.directories.push_back(std::move(c));
            }
        });
    });
    if (config.process.node_id.empty()) {
        char host[256] = {};
        if (::gethostname(host, sizeof host - 1) == 0) config.process.node_id = host;
        if (config.process.node_id.empty()) config.process.node_id = "bindery";
    }
}

void Loader::load_process(MapReader& m, ProcessConfig& c) {
    str(m, "node_id", c.node_id);
    integer(m, "io_threads", c.io_threads, 0, 256);
    duration(m, "drain_timeout", c.drain_timeout, Millis{0}, std::chrono::hours(1));
    str(m, "ready_file", c.ready_file);
}

void Loader::load_logging(MapReader& m, LoggingConfig& c) {
    enumeration(m, "level", c.level, kLogLevels);
    enumeration(m, "format", c.format,
                EnumTable<LogFormat>{{"human", LogFormat::human}, {"json", LogFormat::json}});
    str(m, "file", c.file);
}

void Loader::load_store(MapReader& m, StoreConfig& c) {
    str(m, "path", c.path, false, true);
    enumeration(
        m, "synchronous", c.synchronous,
        EnumTable<SyncMode>{
            {"off", SyncMode::off}, {"normal", SyncMode::normal}, {"full", SyncMode::full}});
    duration(m, "retention", c.retention, std::chrono::hours(1), std::chrono::hours(24 * 3650));
    duration(m, "busy_timeout", c.busy_timeout, Millis{0}, std::chrono::minutes(10));
    duration(m, "commit_interval", c.commit_interval, Millis{0}, std::chrono::seconds(1));
    boolean(m, "record_dispatch", c.record_dispatch);
}

void Loader::load_credits(MapReader& m, CreditsConfig& c) {
    str(m, "currency", c.currency);
    enumeration(m, "capture", c.capture, kCaptureModes);
    integer(m, "default_price", c.default_price, 0,
            std::numeric_limits<std::int64_t>::max() / 1000);
    std::set<std::string> prefixes;
    std::set<std::string> routes;
    list(m, "prices", [&](const Node& item, const std::string& path) {
        PriceConfig p;
        const bool ok = object(item, path, [&](MapReader& s) {
            const bool has_prefix = s.present("prefix");
            const bool has_route = s.present("route");
            if (has_prefix == has_route) {
                error(item, path, "give exactly one of prefix and route");
                s.take("prefix");
                s.take("route");
            } else if (has_prefix) {
                if (str(s, "prefix", p.prefix, true) &&
                    (p.prefix.size() < 2 || p.prefix.front() != '+' ||
                     p.prefix.find_first_not_of("0123456789", 1) != std::string::npos)) {
                    error(s.value_mark("prefix"), s.path("prefix"),
                          "expected \"+\" and digits, got " + quoted(p.prefix));
                } else if (!p.prefix.empty() && !prefixes.insert(p.prefix).second) {
                    error(s.value_mark("prefix"), s.path("prefix"),
                          "duplicate price prefix " + quoted(p.prefix));
                }
            } else if (Field* f = s.take("route"); f != nullptr) {
                if (!f->value.IsScalar() || f->value.Scalar().empty()) {
                    error(f->value, s.path("route"),
                          "expected a route name, got " + describe_node(f->value));
                } else {
                    p.route = f->value.Scalar();
                    reference(Ref::route, f->value, s.path("route"));
                    if (!routes.insert(p.route).second) {
                        error(f->value, s.path("route"),
                              "duplicate price route " + quoted(p.route));
                    }
                }
            }
            integer(s, "price", p.price, 0, std::numeric_limits<std::int64_t>::max() / 1000, true);
        });
        if (ok) c.prices.push_back(std::move(p));
    });
}

void Loader::load_server_tls(MapReader& m, ServerTlsConfig& c) {
    c.enabled = true;
    boolean(m, "enabled", c.enabled);
    input_file(m, "cert_file", c.cert_file, c.enabled, c.enabled);
    input_file(m, "key_file", c.key_file, c.enabled, c.enabled);
    input_file(m, "client_ca_file", c.client_ca_file, false, c.enabled);
}

void Loader::load_client_tls(MapReader& m, ClientTlsConfig& c) {
    c.enabled = true;
    boolean(m, "enabled", c.enabled);
    input_file(m, "ca_file", c.ca_file, false, c.enabled);
    boolean(m, "verify", c.verify);
    str(m, "server_name", c.server_name);
}

void Loader::load_http(MapReader& m, HttpServerConfig& c) {
    boolean(m, "enabled", c.enabled);
    address(m, "listen", c.listen, false, true);
    if (m.present("tls"))
        object(m, "tls", [&](MapReader& s) { load_server_tls(s, c.tls); });
    else
        m.take("tls");
    size(m, "body_limit", c.body_limit, 1024, 64ULL * 1024 * 1024);
    duration(m, "read_timeout", c.read_timeout, std::chrono::milliseconds(100),
             std::chrono::minutes(10));
    duration(m, "idle_timeout", c.idle_timeout, std::chrono::seconds(1), std::chrono::hours(1));
    integer(m, "max_connections", c.max_connections, 1, 1'000'000);
    integer(m, "workers", c.workers, 1, 1024);
    if (m.present("callbacks"))
        object(m, "callbacks", [&](MapReader& s) { load_callbacks(s, c.callbacks); });
    else
        m.take("callbacks");
    if (secret(m, "admin_key", c.admin_key, false))
        secret_min_length(m, "admin_key", c.admin_key, kMinAdminKey);
}

void Loader::load_callbacks(MapReader& m, CallbacksConfig& c) {
    boolean(m, "on_sent", c.on_sent);
    duration(m, "timeout", c.timeout, std::chrono::milliseconds(100), std::chrono::minutes(5));
    integer(m, "max_in_flight", c.max_in_flight, 1, 10'000);
    duration(m, "initial_backoff", c.initial_backoff, std::chrono::milliseconds(100),
             std::chrono::hours(24));
    duration(m, "max_backoff", c.max_backoff, std::chrono::milliseconds(100),
             std::chrono::hours(24));
    duration(m, "max_age", c.max_age, std::chrono::seconds(1), std::chrono::hours(24 * 30));
    integer(m, "max_attempts", c.max_attempts, 1, 1'000'000);
    if (c.max_backoff < c.initial_backoff) {
        error(m.value_mark("max_backoff"), m.path("max_backoff"),
              "must not be shorter than initial_backoff");
    }
}

const EnumTable<BindType> kBindTypes = {
    {"trx", BindType::trx}, {"tx", BindType::tx}, {"rx", BindType::rx}};

void Loader::load_smpp_server(MapReader& m, SmppServerConfig& c) {
    boolean(m, "enabled", c.enabled);
    address(m, "listen", c.listen, false, true);
    if (m.present("tls"))
        object(m, "tls", [&](MapReader& s) { load_server_tls(s, c.tls); });
    else
        m.take("tls");
    if (str(m, "system_id", c.system_id, false, true))
        max_length(m, "system_id", c.system_id, kMaxSystemId);
    integer(m, "max_connections", c.max_connections, 1, 1'000'000);
    duration(m, "bind_timeout", c.bind_timeout, std::chrono::seconds(1), std::chrono::minutes(10));
    duration(m, "enquire_link_interval", c.enquire_link_interval, std::chrono::seconds(1),
             std::chrono::hours(1));
    duration(m, "inactivity_timeout", c.inactivity_timeout, std::chrono::seconds(1),
             std::chrono::hours(24));
    duration(m, "response_timeout", c.response_timeout, std::chrono::milliseconds(100),
             std::chrono::minutes(10));
    if (m.present("concat")) {
        object(m, "concat", [&](MapReader& s) {
            duration(s, "timeout", c.concat.timeout, std::chrono::seconds(1),
                     std::chrono::hours(24));
            integer(s, "max_messages", c.concat.max_messages, 1, 1'000'000);
            integer(s, "max_parts", c.concat.max_parts, 255, 10'000'000);
        });
    } else {
        m.take("concat");
    }
    list(m, "accounts", [&](const Node& item, const std::string& path) {
        SmppAccountConfig a;
        if (object(item, path, [&](MapReader& s) { load_account(s, a); }))
            c.accounts.push_back(std::move(a));
    });
    object(m, "deliveries", [&](MapReader& s) {
        auto& d = c.deliveries;
        duration(s, "expiry", d.expiry, std::chrono::minutes(1), std::chrono::hours(24 * 30));
        duration(s, "retry_initial", d.retry_initial, std::chrono::milliseconds(100),
                 std::chrono::hours(1));
        duration(s, "retry_max", d.retry_max, std::chrono::milliseconds(100),
                 std::chrono::hours(24));
        integer(s, "max_in_flight", d.max_in_flight, 1, 10'000);
        if (d.retry_max < d.retry_initial) {
            error(s.value_mark("retry_max"), s.path("retry_max"),
                  "must not be shorter than retry_initial");
        }
    });
    list(m, "mo_routes", [&](const Node& item, const std::string& path) {
        MoRouteConfig r;
        if (object(item, path, [&](MapReader& s) { load_mo_route(s, r); }))
            c.mo_routes.push_back(std::move(r));
    });
}

void Loader::load_mo_route(MapReader& m, MoRouteConfig& c) {
    const bool has_destination = m.present("destination");
    if (has_destination == m.present("prefix")) {
        error(m.mark(), m.path("destination"), "give exactly one of destination and prefix");
        m.take("destination");
        m.take("prefix");
    } else {
        const std::string_view key = has_destination ? "destination" : "prefix";
        std::string& value = has_destination ? c.destination : c.prefix;
        if (str(m, key, value, true)) {
            std::string_view digits = value;
            if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
            if (digits.empty() || digits.size() > 20 ||
                digits.find_first_not_of("0123456789") != std::string_view::npos) {
                error(m.value_mark(key), m.path(key),
                      "expected digits (an optional leading \"+\"), at most 20, got " +
                          quoted(value));
            } else {
                value = std::string(digits);
            }
        }
    }
    if (Field* f = m.take("carrier"); f != nullptr) {
        if (f->value.IsScalar() && !f->value.Scalar().empty()) {
            c.carrier = f->value.Scalar();
            reference(Ref::smpp_carrier, f->value, m.path("carrier"));
        } else {
            error(f->value, m.path("carrier"),
                  "expected a carrier name, got " + describe_node(f->value));
        }
    }
    if (Field* f = m.take("account"); f == nullptr) {
        missing(m, "account", "the smpp_server account (system_id) the MO goes to");
    } else if (f->value.IsScalar() && !f->value.Scalar().empty()) {
        c.account = f->value.Scalar();
        reference(Ref::account, f->value, m.path("account"));
    } else {
        error(f->value, m.path("account"),
              "expected an account system_id, got " + describe_node(f->value));
    }
    const std::string key =
        (c.destination.empty() ? "prefix " + c.prefix : "destination " + c.destination) +
        (c.carrier.empty() ? "" : " from carrier " + c.carrier);
    if (!c.destination.empty() || !c.prefix.empty()) {
        auto [it, inserted] = mo_route_keys_.emplace(key, m.mark());
        if (!inserted) {
            error(m.mark(), m.path(c.destination.empty() ? "prefix" : "destination"),
                  "duplicate MO route (" + key + ", first at line " +
                      std::to_string(it->second.line + 1) + ")");
        }
    }
}

void Loader::load_account(MapReader& m, SmppAccountConfig& c) {
    unique_name(account_names_, "account", m.take("system_id"), m.path("system_id"));
    if (str(m, "system_id", c.system_id, true))
        max_length(m, "system_id", c.system_id, kMaxSystemId);
    const bool has_hash = m.present("password_hash");
    if (has_hash) {
        if (m.present("password") || m.present("password_env") || m.present("password_file")) {
            error(m.value_mark("password_hash"), m.path("password_hash"),
                  "give either password_hash or a password, not both");
        }
        if (str(m, "password_hash", c.password_hash) && !is_sha256_hash(c.password_hash)) {
            error(m.value_mark("password_hash"), m.path("password_hash"),
                  "expected \"sha256:\" followed by 64 hex digits");
        }
        m.take("password");
        m.take("password_env");
        m.take("password_file");
    } else if (secret(m, "password", c.password, false)) {
        secret_max_length(m, "password", c.password, kMaxPassword);
    } else if (!m.present("password") && !m.present("password_env") &&
               !m.present("password_file")) {
        missing(m, "password", "give password, password_env, password_file or password_hash");
    }
    integer(m, "max_binds", c.max_binds, 1, 1000);
    integer(m, "window", c.window, 1, 10'000);
    number(m, "max_tps", c.max_tps, 0, 1'000'000);
    {
        std::size_t given = 0;
        const auto where = m.value_mark("bind_types");
        if (list(m, "bind_types",
                 [&](const Node& item, const std::string& path) {
                     if (given++ == 0) c.bind_types.clear();
                     BindType t{};
                     if (parse_enum(item, path, t, kBindTypes)) c.bind_types.push_back(t);
                 }) &&
            given == 0) {
            // An account no bind may use is a mistake, not "every type".
            error(where, m.path("bind_types"),
                  "must not be empty (leave it out for trx, tx and rx)");
        }
    }
    strings(m, "allowed_senders", c.allowed_senders);
    if (m.present("delivery_expiry")) {
        Millis expiry{};
        if (duration(m, "delivery_expiry", expiry, std::chrono::minutes(1),
                     std::chrono::hours(24 * 30))) {
            c.delivery_expiry = expiry;
        }
    } else {
        m.take("delivery_expiry");
    }
    if (Field* f = m.take("client"); f != nullptr) {
        if (f->value.IsScalar()) {
            c.client = f->value.Scalar();
            reference(Ref::client, f->value, m.path("client"));
        } else {
            error(f->value, m.path("client"), "expected a string, got " + describe_node(f->value));
        }
    }
}

const EnumTable<int> kCarrierKinds = {{"smpp", 0}, {"kavenegar", 1}, {"http", 2}};

void Loader::load_carrier(MapReader& m, CarrierConfig& c) {
    unique_name(carrier_names_, "carrier", m.take("name"), m.path("name"));
    str(m, "name", c.name, true);
    boolean(m, "enabled", c.enabled);
    if (m.present("breaker"))
        object(m, "breaker", [&](MapReader& s) { load_breaker(s, c.breaker); });
    else
        m.take("breaker");
    int kind = 0;
    Field* kind_field = m.take("kind");
    if (kind_field == nullptr) {
        missing(m, "kind", "one of smpp, kavenegar, http");
        m.skip_rest();  // the other keys depend on the kind
        return;
    }
    if (!parse_enum(kind_field->value, m.path("kind"), kind, kCarrierKinds)) {
        m.skip_rest();
        return;
    }
    switch (kind) {
        case 0: load_smpp_carrier(m, c.settings.emplace<SmppCarrierConfig>()); break;
        case 1: load_kavenegar(m, c.settings.emplace<KavenegarCarrierConfig>()); break;
        default: load_http_carrier(m, c.settings.emplace<HttpCarrierConfig>()); break;
    }
}

void Loader::load_smpp_carrier(MapReader& m, SmppCarrierConfig& c) {
    address(m, "address", c.address, true, false);
    if (str(m, "system_id", c.system_id, true))
        max_length(m, "system_id", c.system_id, kMaxSystemId);
    if (secret(m, "password", c.password, true))
        secret_max_length(m, "password", c.password, kMaxPassword);
    if (str(m, "system_type", c.system_type))
        max_length(m, "system_type", c.system_type, kMaxSystemType);
    enumeration(m, "bind_type", c.bind_type,
                EnumTable<CarrierBindType>{{"trx", CarrierBindType::trx},
                                           {"tx", CarrierBindType::tx},
                                           {"rx", CarrierBindType::rx},
                                           {"tx_rx_pair", CarrierBindType::tx_rx_pair}});
    integer(m, "count", c.count, 1, 64);
    integer(m, "window", c.window, 1, 1000);
    integer(m, "incoming_window", c.incoming_window, 1, 100'000);
    number(m, "max_tps", c.max_tps, 0, 100'000);
    integer(m, "burst", c.burst, 0, 100'000);
    duration(m, "bind_timeout", c.bind_timeout, std::chrono::seconds(1), std::chrono::minutes(5));
    duration(m, "response_timeout", c.response_timeout, std::chrono::milliseconds(100),
             std::chrono::minutes(5));
    duration(m, "enquire_link_interval", c.enquire_link_interval, std::chrono::seconds(1),
             std::chrono::hours(1));
    object(m, "reconnect", [&](MapReader& s) {
        duration(s, "initial", c.reconnect.initial, std::chrono::milliseconds(10),
                 std::chrono::hours(1));
        duration(s, "max", c.reconnect.max, std::chrono::milliseconds(10), std::chrono::hours(1));
        number(s, "multiplier", c.reconnect.multiplier, 1.0, 10.0);
        if (c.reconnect.initial > c.reconnect.max) {
            error(s.value_mark("initial"), s.path("initial"),
                  "must not exceed max (" + format_duration(c.reconnect.initial) + " > " +
                      format_duration(c.reconnect.max) + ")");
        }
    });
    std::uint8_t source_ton = 0, source_npi = 0;
    if (integer(m, "source_addr_ton", source_ton, 0, 6)) c.source_addr_ton = source_ton;
    if (integer(m, "source_addr_npi", source_npi, 0, 18)) c.source_addr_npi = source_npi;
    integer(m, "dest_addr_ton", c.dest_addr_ton, 0, 6);
    integer(m, "dest_addr_npi", c.dest_addr_npi, 0, 18);
    load_smpp_text(m, c);
    enumeration(m, "segmentation", c.segmentation,
                EnumTable<Segmentation>{{"udh8", Segmentation::udh8},
                                        {"udh16", Segmentation::udh16},
                                        {"sar", Segmentation::sar},
                                        {"payload", Segmentation::payload}});
    boolean(m, "registered_delivery", c.registered_delivery);
    enumeration(m, "message_id_format", c.message_id_format,
                EnumTable<MessageIdFormat>{{"auto", MessageIdFormat::automatic},
                                           {"as_is", MessageIdFormat::as_is},
                                           {"hex", MessageIdFormat::hex},
                                           {"decimal", MessageIdFormat::decimal}});
    enumeration(m, "validity_format", c.validity_format,
                EnumTable<ValidityFormat>{{"relative", ValidityFormat::relative},
                                          {"absolute", ValidityFormat::absolute},
                                          {"none", ValidityFormat::none}});
    if (str(m, "service_type", c.service_type))
        max_length(m, "service_type", c.service_type, kMaxServiceType);
    integer(m, "protocol_id", c.protocol_id, 0, 255);
    boolean(m, "priority_express", c.priority_express);
    utc_offset(m, "receipt_utc_offset", c.receipt_utc_offset);
    boolean(m, "reassemble_mo", c.reassemble_mo);
    if (m.present("mo_reassembly")) {
        object(m, "mo_reassembly", [&](MapReader& s) {
            auto& r = c.mo_reassembly;
            duration(s, "timeout", r.timeout, std::chrono::seconds(1), std::chrono::hours(24));
            integer(s, "max_messages", r.max_messages, 1, 1'000'000);
            integer(s, "max_parts", r.max_parts, 255, 10'000'000);
            integer(s, "max_bytes", r.max_bytes, std::int64_t{64} * 1024, std::int64_t{1} << 32);
        });
    } else {
        m.take("mo_reassembly");
    }
    // default_sender was read and never used: every message reaches a carrier with its own sender
    // (the router refuses an empty one), so there is nothing for a carrier default to fill in.
    if (Field* f = m.take("default_sender")) {
        error(f->value, m.path("default_sender"),
              "not supported on an SMPP carrier (it never had an effect: every message carries "
              "its own sender, HTTP \"from\" / SMPP source_addr); limit senders with "
              "clients[].allowed_senders, route by sender with routes[].match.senders");
    }
    if (m.present("tls"))
        object(m, "tls", [&](MapReader& s) { load_client_tls(s, c.tls); });
    else
        m.take("tls");
}

// The carrier's text options (smpp::EncodeOptions). default_data_coding was read and never used
// before these: 0 (what every carrier sent) is still taken, as a no-op; anything else is an error
// naming its replacements rather than a setting silently ignored.
void Loader::load_smpp_text(MapReader& m, SmppCarrierConfig& c) {
    if (Field* f = m.take("default_data_coding")) {
        std::int64_t value = 0;
        if (parse_int(f->value, m.path("default_data_coding"), value, 0, 255) && value != 0) {
            error(f->value, m.path("default_data_coding"),
                  "no longer supported (it never had an effect): use default_alphabet (what "
                  "data_coding 0 means: gsm7, ia5, latin1), allow_ia5 / allow_latin1 "
                  "(data_coding 1 / 3 when cheaper) or force_alphabet");
        }
    }
    enumeration(m, "default_alphabet", c.default_alphabet,
                EnumTable<DefaultAlphabet>{{"gsm7", DefaultAlphabet::gsm7},
                                           {"ia5", DefaultAlphabet::ia5},
                                           {"latin1", DefaultAlphabet::latin1}});
    boolean(m, "allow_ia5", c.allow_ia5);
    boolean(m, "allow_latin1", c.allow_latin1);
    ForcedAlphabet forced{};
    if (enumeration(m, "force_alphabet", forced,
                    EnumTable<ForcedAlphabet>{{"gsm7", ForcedAlphabet::gsm7},
                                              {"ia5", ForcedAlphabet::ia5},
                                              {"latin1", ForcedAlphabet::latin1},
                                              {"ucs2", ForcedAlphabet::ucs2},
                                              {"binary", ForcedAlphabet::binary}})) {
        c.force_alphabet = forced;
        // GSM 7-bit has no data_coding but 0: where 0 means another alphabet it cannot be sent.
        if (forced == ForcedAlphabet::gsm7 && c.default_alphabet != DefaultAlphabet::gsm7) {
            error(m.value_mark("force_alphabet"), m.path("force_alphabet"),
                  "gsm7 needs default_alphabet: gsm7 (GSM 7-bit goes as data_coding 0, which this "
                  "carrier reads as " +
                      std::string(c.default_alphabet == DefaultAlphabet::ia5 ? "ia5" : "latin1") +
                      ")");
        }
    }
    enumeration(m, "gsm7_packing", c.gsm7_packing,
                EnumTable<Gsm7PackingMode>{{"unpacked", Gsm7PackingMode::unpacked},
                                           {"packed", Gsm7PackingMode::packed}});
    boolean(m, "transliterate", c.transliterate);
    boolean(m, "keep_clusters", c.keep_clusters);
    integer(m, "max_segments", c.max_segments, 1, 255);
}

// A UTC offset: "+03:30", "-05:00", "+0330", "Z" or "0"; at most 14 hours either way.
void Loader::utc_offset(MapReader& m, std::string_view key, std::chrono::minutes& out) {
    const Node* n = scalar(m, key, false, "a UTC offset");
    if (n == nullptr) return;
    const std::string& s = n->Scalar();
    if (s == "Z" || s == "0") {
        out = std::chrono::minutes(0);
        return;
    }
    std::string digits;
    bool ok = s.size() >= 3 && (s[0] == '+' || s[0] == '-');
    for (std::size_t i = 1; ok && i < s.size(); ++i) {
        if (s[i] >= '0' && s[i] <= '9')
            digits.push_back(s[i]);
        else if (!(s[i] == ':' && i == 3))
            ok = false;
    }
    ok = ok && (digits.size() == 2 || digits.size() == 4) &&
         (s.find(':') == std::string::npos || digits.size() == 4);
    const int hours = ok ? std::stoi(digits.substr(0, 2)) : 0;
    const int minutes = ok && digits.size() == 4 ? std::stoi(digits.substr(2)) : 0;
    if (!ok || minutes > 59 || hours * 60 + minutes > 14 * 60) {
        error(*n, m.path(key),
              "invalid UTC offset " + quoted(s) +
                  " (expected +HH:MM or -HH:MM within 14 hours, or Z)");
        return;
    }
    out = std::chrono::minutes((s[0] == '-' ? -1 : 1) * (hours * 60 + minutes));
}

void Loader::url(MapReader& m, std::string_view key, std::string& out, bool required) {
    Field* f = m.take(key);
    if (f == nullptr) {
        if (required) missing(m, key);
        return;
    }
    if (!f->value.IsScalar()) {
        error(f->value, m.path(key), "expected a URL, got " + describe_node(f->value));
        return;
    }
    const std::string& s = f->value.Scalar();
    if ((s.rfind("http://", 0) != 0 && s.rfind("https://", 0) != 0) ||
        s.find(' ') != std::string::npos || s.size() <= std::string_view("http://").size()) {
        error(f->value, m.path(key),
              "invalid URL " + quoted(s) + " (expected http://... or https://...)");
        return;
    }
    out = s;
}

void Loader::load_breaker(MapReader& m, BreakerSettings& c) {
    integer(m, "window", c.window, 1, 10'000);
    integer(m, "min_samples", c.min_samples, 1, 10'000);
    number(m, "error_rate", c.error_rate, 0.01, 1.0);
    integer(m, "consecutive_timeouts", c.consecutive_timeouts, 1, 10'000);
    duration(m, "open_for", c.open_for, std::chrono::milliseconds(100), std::chrono::hours(1));
    integer(m, "probe_successes", c.probe_successes, 1, 1'000);
    if (c.min_samples > c.window) {
        error(m.value_mark("min_samples"), m.path("min_samples"),
              "must not exceed window (" + std::to_string(c.window) + ")");
    }
}

void Loader::load_kavenegar(MapReader& m, KavenegarCarrierConfig& c) {
    url(m, "base_url", c.base_url, false);
    secret(m, "api_key", c.api_key, true);
    str(m, "sender", c.sender);
    number(m, "rate", c.rate, 0.01, 10'000);
    integer(m, "concurrency", c.concurrency, 1, 1024);
    duration(m, "timeout", c.timeout, std::chrono::milliseconds(100), std::chrono::minutes(5));
    integer(m, "batch", c.batch, 1, 200);
    boolean(m, "poll_status", c.poll_status);
    duration(m, "status_interval", c.status_interval, std::chrono::seconds(1),
             std::chrono::hours(1));
    duration(m, "status_max_interval", c.status_max_interval, std::chrono::seconds(1),
             std::chrono::hours(6));
    duration(m, "status_give_up", c.status_give_up, std::chrono::minutes(1),
             std::chrono::hours(24 * 7));
    if (m.present("tls"))
        object(m, "tls", [&](MapReader& s) { load_client_tls(s, c.tls); });
    else
        m.take("tls");
    if (c.status_max_interval < c.status_interval) {
        error(m.value_mark("status_max_interval"), m.path("status_max_interval"),
              "must be at least status_interval");
    }
}

void Loader::load_http_carrier(MapReader& m, HttpCarrierConfig& c) {
    enumeration(
        m, "method", c.method,
        EnumTable<HttpMethod>{
            {"GET", HttpMethod::get}, {"POST", HttpMethod::post}, {"PUT", HttpMethod::put}});
    url(m, "url", c.url, true);
    str(m, "body", c.body);
    str(m, "content_type", c.content_type);
    string_map(m, "headers", c.headers);
    secret(m, "auth_token", c.auth_token, false);
    {
        const auto where = m.value_mark({"secret", "secret_env", "secret_file"});
        const bool given =
            m.present("secret") || m.present("secret_env") || m.present("secret_file");
        secret(m, "secret", c.secret, false);
        bool used = c.url.find("{secret}") != std::string::npos ||
                    c.body.find("{secret}") != std::string::npos;
        for (const auto& [name, value] : c.headers)
            used = used || value.find("{secret}") != std::string::npos;
        if (used && !given) {
            missing(m, "secret", "{secret} is used; give secret, secret_env or secret_file");
        } else if (given && !used) {
            error(where, m.path("secret"), "no url, header or body uses {secret}");
        }
    }
    list(m, "success_status", [&, first = true](const Node& item, const std::string& path) mutable {
        if (first) c.success_status.clear();
        first = false;
        std::int64_t code = 0;
        if (parse_int(item, path, code, 100, 599))
            c.success_status.push_back(static_cast<unsigned>(code));
    });
    if (str(m, "message_id_pointer", c.message_id_pointer) && !c.message_id_pointer.empty() &&
        c.message_id_pointer.front() != '/') {
        error(m.value_mark("message_id_pointer"), m.path("message_id_pointer"),
              "a JSON pointer starts with '/'");
    }
    str(m, "auth_header", c.auth_header);
    str(m, "auth_scheme", c.auth_scheme);
    for (const char* key : {"success_pointer", "error_code_pointer"}) {
        std::string& out =
            std::string_view(key) == "success_pointer" ? c.success_pointer : c.error_code_pointer;
        if (str(m, key, out) && !out.empty() && out.front() != '/') {
            error(m.value_mark(key), m.path(key), "a JSON pointer starts with '/'");
        }
    }
    strings(m, "success_values", c.success_values);
    if (!c.success_pointer.empty() && c.success_values.empty()) {
        error(m.value_mark("success_pointer"), m.path("success_pointer"), "needs success_values");
    }
    if (string_map(m, "status_map", c.status_map)) {
        for (const auto& [code, cls] : c.status_map) {
            const bool code_ok = !code.empty() && code.size() <= 9 &&
                                 std::all_of(code.begin(), code.end(),
                                             [](char ch) { return ch >= '0' && ch <= '9'; });
            if (!code_ok || (cls != "temporary" && cls != "throttled" && cls != "permanent")) {
                error(m.value_mark("status_map"), m.path("status_map"),
                      "expected CODE: temporary | throttled | permanent, got " + quoted(code) +
                          ": " + quoted(cls));
            }
        }
    }
    number(m, "rate", c.rate, 0.01, 10'000);
    integer(m, "concurrency", c.concurrency, 1, 1024);
    duration(m, "timeout", c.timeout, std::chrono::milliseconds(100), std::chrono::minutes(5));
    if (m.present("tls"))
        object(m, "tls", [&](MapReader& s) { load_client_tls(s, c.tls); });
    else
        m.take("tls");
    if (c.method == HttpMethod::get && !c.body.empty()) {
        error(m.value_mark("body"), m.path("body"),
              "a GET request has no body; use method POST or PUT");
    }
}

void Loader::load_route(MapReader& m, RouteConfig& c) {
    unique_name(route_names_, "route", m.take("name"), m.path("name"));
    str(m, "name", c.name, true);
    object(m, "match", [&](MapReader& s) {
        list(s, "prefixes", [&](const Node& item, const std::string& path) {
            const bool ok =
                item.IsScalar() && !item.Scalar().empty() &&
                std::all_of(item.Scalar().begin() + (item.Scalar().front() == '+' ? 1 : 0),
                            item.Scalar().end(), [](char ch) { return ch >= '0' && ch <= '9'; }) &&
                item.Scalar() != "+";
            if (!ok) {
                error(item, path,
                      "expected a number prefix such as \"+98912\", got " + describe_node(item));
                return;
            }
            c.match.prefixes.push_back(item.Scalar());
        });
        list(s, "countries", [&](const Node& item, const std::string& path) {
            const bool ok = item.IsScalar() && item.Scalar().size() == 2 &&
                            std::all_of(item.Scalar().begin(), item.Scalar().end(),
                                        [](char ch) { return ch >= 'A' && ch <= 'Z'; });
            if (!ok) {
                error(item, path,
                      "expected an ISO 3166 alpha-2 country code such as \"IR\", got " +
                          describe_node(item));
                return;
            }
            c.match.countries.push_back(item.Scalar());
        });
        strings(s, "senders", c.match.senders);
        list(s, "clients", [&](const Node& item, const std::string& path) {
            if (!item.IsScalar()) {
                error(item, path, "expected a client name, got " + describe_node(item));
                return;
            }
            c.match.clients.push_back(item.Scalar());
            reference(Ref::client, item, path);
        });
        list(s, "priorities", [&](const Node& item, const std::string& path) {
            std::int64_t p = 0;
            if (parse_int(item, path, p, 0, 3))
                c.match.priorities.push_back(static_cast<unsigned>(p));
        });
        strings(s, "tags", c.match.tags);
    });
    const bool has_providers = list(m, "providers", [&](const Node& item, const std::string& path) {
        RouteProvider p;
        if (item.IsScalar()) {  // shorthand: just the carrier name, weight 1
            p.carrier = item.Scalar();
            reference(Ref::carrier, item, path);
            c.providers.push_back(std::move(p));
            return;
        }
        object(item, path, [&](MapReader& s) {
            if (Field* f = s.take("carrier"); f != nullptr && f->value.IsScalar()) {
                p.carrier = f->value.Scalar();
                reference(Ref::carrier, f->value, s.path("carrier"));
            } else if (f != nullptr) {
                error(f->value, s.path("carrier"),
                      "expected a carrier name, got " + describe_node(f->value));
            } else {
                missing(s, "carrier");
            }
            integer(s, "weight", p.weight, 1, 1000);
        });
        if (!p.carrier.empty()) c.providers.push_back(std::move(p));
    });
    list(m, "failover", [&](const Node& item, const std::string& path) {
        if (!item.IsScalar()) {
            error(item, path, "expected a carrier name, got " + describe_node(item));
            return;
        }
        c.failover.push_back(item.Scalar());
        reference(Ref::carrier, item, path);
    });
    if (!has_providers && !m.present("providers"))
        missing(m, "providers", "a route sends to at least one carrier");
}

void Loader::load_client(MapReader& m, ClientConfig& c) {
    unique_name(client_names_, "client", m.take("name"), m.path("name"));
    str(m, "name", c.name, true);
    const bool has_key =
        m.present("api_key") || m.present("api_key_env") || m.present("api_key_file");
    if (m.present("api_key_hash")) {
        if (has_key)
            error(m.value_mark("api_key_hash"), m.path("api_key_hash"),
                  "give either api_key_hash or an api_key, not both");
        if (str(m, "api_key_hash", c.api_key_hash) && !is_sha256_hash(c.api_key_hash)) {
            error(m.value_mark("api_key_hash"), m.path("api_key_hash"),
                  "expected \"sha256:\" followed by 64 hex digits");
        }
        m.take("api_key");
        m.take("api_key_env");
        m.take("api_key_file");
    } else if (has_key) {
        secret(m, "api_key", c.api_key, true);
    } else {
        m.take("api_key_hash");
        missing(m, "api_key", "give api_key, api_key_env, api_key_file or api_key_hash");
    }
    strings(m, "allowed_senders", c.allowed_senders);
    str(m, "default_sender", c.default_sender);
    number(m, "rate", c.rate, 0, 1'000'000);
    integer(m, "burst", c.burst, 0, 1'000'000);
    url(m, "callback_url", c.callback_url, false);
    secret(m, "callback_secret", c.callback_secret, false);
    if (Field* f = m.take("credit"); f != nullptr) {
        std::int64_t credit = 0;
        if (parse_int(f->value, m.path("credit"), credit, 0,
                      std::numeric_limits<std::int64_t>::max()))
            c.credit = credit;
    }
    if (m.present("capture")) {
        CaptureMode capture = CaptureMode::delivered;
        if (enumeration(m, "capture", capture, kCaptureModes)) c.capture = capture;
    }
    if (!c.default_sender.empty() && !c.allowed_senders.empty() &&
        std::find(c.allowed_senders.begin(), c.allowed_senders.end(), c.default_sender) ==
            c.allowed_senders.end()) {
        error(m.value_mark("default_sender"), m.path("default_sender"),
              quoted(c.default_sender) + " is not in allowed_senders");
    }
}

void Loader::phone(const Node& n, const std::string& path, std::string& out) {
    if (!n.IsScalar() || !is_e164(n.Scalar())) {
        error(n, path,
              "expected an E.164 number such as \"+989121234567\", got " + describe_node(n));
        return;
    }
    out = n.Scalar();
}

void Loader::load_alerting(MapReader& m, AlertingConfig& c) {
    boolean(m, "enabled", c.enabled);
    if (str(m, "path", c.path) && c.path != "/v1/alertmanager") {
        error(m.value_mark("path"), m.path("path"),
              "the webhook is served at /v1/alertmanager (the only accepted value)");
    }
    object(m, "auth", [&](MapReader& s) {
        secret(s, "bearer_token", c.bearer_token, false);
        str(s, "username", c.basic_username);
        // Given but not resolved (an unset variable, an unreadable file) is reported by secret().
        const bool password_given =
            s.present("password") || s.present("password_env") || s.present("password_file");
        secret(s, "password", c.basic_password, false);
        if (!c.basic_username.empty() && !password_given && options_.resolve_secrets) {
            missing(s, "password", "basic auth needs a username and a password");
        }
    });
    list(m, "receivers", [&](const Node& item, const std::string& path) {
        AlertReceiverConfig r;
        if (object(item, path, [&](MapReader& s) { load_receiver(s, r); }))
            c.receivers.push_back(std::move(r));
    });
    if (duration(m, "retention", c.retention, std::chrono::hours(1),
                 std::chrono::hours(24 * 3650))) {
        // A record purged inside a dedup window would let the same notification be sent again.
        for (const auto& r : c.receivers) {
            if (r.dedup_window > c.retention) {
                error(m.value_mark("retention"), m.path("retention"),
                      "must be at least the dedup_window of receiver " + quoted(r.name) + " (" +
                          format_duration(r.dedup_window) + "), got " +
                          format_duration(c.retention));
            }
        }
    }
}

void Loader::load_receiver(MapReader& m, AlertReceiverConfig& c) {
    unique_name(receiver_names_, "receiver", m.take("name"), m.path("name"));
    str(m, "name", c.name, true);
    list(m, "groups", [&](const Node& item, const std::string& path) {
        if (!item.IsScalar()) {
            error(item, path, "expected a group name, got " + describe_node(item));
            return;
        }
        c.groups.push_back(item.Scalar());
        reference(Ref::group, item, path);
    });
    list(m, "recipients", [&](const Node& item, const std::string& path) {
        std::string number;
        phone(item, path, number);
        if (!number.empty()) c.recipients.push_back(std::move(number));
    });
    string_map(m, "match_labels", c.match_labels);
    str(m, "template", c.template_text);
    integer(m, "max_segments", c.max_segments, 1, 10);
    boolean(m, "send_resolved", c.send_resolved);
    str(m, "sender", c.sender);
    strings(m, "tags", c.tags);
    duration(m, "dedup_window", c.dedup_window, Millis{0}, std::chrono::hours(24 * 7));
    if (Field* f = m.take("client"); f != nullptr) {
        if (f->value.IsScalar()) {
            c.client = f->value.Scalar();
            reference(Ref::client, f->value, m.path("client"));
        } else {
            error(f->value, m.path("client"),
                  "expected a client name, got " + describe_node(f->value));
        }
    }
    if (c.groups.empty() && c.recipients.empty() && !m.present("groups") &&
        !m.present("recipients")) {
        missing(m, "groups", "a receiver needs groups or recipients");
    }
}

const EnumTable<int> kDirectoryKinds = {{"static", 0}, {"keycloak", 1}};

void Loader::load_directory(MapReader& m, DirectoryConfig& c) {
    unique_name(directory_names_, "directory", m.take("name"), m.path("name"));
    str(m, "name", c.name, true);
    int kind = 0;
    Field* kind_field = m.take("kind");
    if (kind_field == nullptr) {
        missing(m, "kind", "one of static, keycloak");
        m.skip_rest();
        return;
    }
    if (!parse_enum(kind_field->value, m.path("kind"), kind, kDirectoryKinds)) {
        m.skip_rest();
        return;
    }
    if (kind == 0) {
        auto& d = c.settings.emplace<StaticDirectoryConfig>();
        Field* groups = m.take("groups");
        if (groups == nullptr) {
            missing(m, "groups");
            return;
        }
        const auto path = m.path("groups");
        if (!groups->value.IsMap()) {
            error(
                groups->value, path,
                "expected a mapping of group name to people, got " + describe_node(groups->value));
            return;
        }
        for (const auto& kv : groups->value) {
            if (!kv.first.IsScalar()) continue;
            const auto group_path = join_path(path, kv.first.Scalar());
            auto& people = d.groups[kv.first.Scalar()];
            if (!kv.second.IsSequence()) {
                error(kv.second, group_path,
                      "expected a sequence of people, got " + describe_node(kv.second));
                continue;
            }
            std::size_t index = 0;
            for (const auto& item : kv.second) {
                const auto person_path = group_path + "[" + std::to_string(index++) + "]";
                Person p;
                object(item, person_path, [&](MapReader& s) {
                    str(s, "name", p.name);
                    if (Field* f = s.take("phone"); f != nullptr)
                        phone(f->value, s.path("phone"), p.phone);
                    else
                        missing(s, "phone");
                });
                if (!p.phone.empty()) people.push_back(std::move(p));
            }
        }
        return;
    }
    auto& k = c.settings.emplace<KeycloakDirectoryConfig>();
    url(m, "base_url", k.base_url, true);
    boolean(m, "legacy_auth_path", k.legacy_auth_path);
    str(m, "realm", k.realm, true);
    str(m, "client_id", k.client_id, true);
    secret(m, "client_secret", k.client_secret, true);
    strings(m, "phone_attributes", k.phone_attributes);
    if (str(m, "default_region", k.default_region) &&
        (k.default_region.size() != 2 ||
         !std::isupper(static_cast<unsigned char>(k.default_region[0])) ||
         !std::isupper(static_cast<unsigned char>(k.default_region[1])))) {
        error(m.value_mark("default_region"), m.path("default_region"),
              "expected an ISO 3166 alpha-2 region such as \"IR\"");
    }
    if (k.phone_attributes.empty())
        error(m.value_mark("phone_attributes"), m.path("phone_attributes"),
              "must name at least one attribute");
    duration(m, "cache_ttl", k.cache_ttl, Millis{0}, std::chrono::hours(24));
    duration(m, "timeout", k.timeout, std::chrono::milliseconds(100), std::chrono::minutes(5));
    if (m.present("tls"))
        object(m, "tls", [&](MapReader& s) { load_client_tls(s, k.tls); });
    else
        m.take("tls");
}

void Loader::check_references(const Config& config) {
    std::set<std::string> carriers;
    std::set<std::string> clients;
    std::set<std::string> groups;
    bool dynamic_groups = false;
    for (const auto& c : config.carriers) carriers.insert(c.name);
    for (const auto& c : config.clients) clients.insert(c.name);
    std::set<std::string> routes;
    for (const auto& r : config.routes) routes.insert(r.name);
    std::set<std::string> smpp_carriers;
    for (const auto& c : config.carriers) {
        if (c.kind() == CarrierKind::smpp) smpp_carriers.insert(c.name);
    }
    std::set<std::string> accounts;
    for (const auto& a : config.smpp_server.accounts) accounts.insert(a.system_id);
    for (const auto& d : config.directories) {
        if (const auto* s = std::get_if<StaticDirectoryConfig>(&d.settings)) {
            for (const auto& [name, people] : s->groups) groups.insert(name);
        } else {
            dynamic_groups = true;
        }
    }
    auto known = [](const std::set<std::string>& names) {
        std::string out;
        for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
        return out.empty() ? std::string("none are defined") : "known: " + out;
    };
    for (const auto& ref : refs_) {
        switch (ref.kind) {
            case Ref::carrier:
                if (!carriers.count(ref.name)) {
                    error(ref.mark, ref.path,
                          "unknown carrier " + quoted(ref.name) + " (" + known(carriers) + ")");
                }
                break;
            case Ref::smpp_carrier:
                if (!smpp_carriers.count(ref.name)) {
                    error(ref.mark, ref.path,
                          (carriers.count(ref.name)
                               ? "carrier " + quoted(ref.name) +
                                     " is not an SMPP carrier (MO comes only from SMPP binds; "
                               : "unknown carrier " + quoted(ref.name) + " (") +
                              known(smpp_carriers) + ")");
                }
                break;
            case Ref::account:
                if (!accounts.count(ref.name)) {
                    error(ref.mark, ref.path,
                          "unknown smpp_server account " + quoted(ref.name) + " (" +
                              known(accounts) + ")");
                }
                break;
            case Ref::client:
                if (!clients.count(ref.name)) {
                    error(ref.mark, ref.path,
                          "unknown client " + quoted(ref.name) + " (" + known(clients) + ")");
                }
                break;
            case Ref::route:
                if (!routes.count(ref.name)) {
                    error(ref.mark, ref.path,
                          "unknown route " + quoted(ref.name) + " (" + known(routes) + ")");
                }
                break;
            case Ref::group:
                // A Keycloak directory resolves groups at run time, so only a static-only setup can
                // be checked here.
                if (!dynamic_groups && !groups.count(ref.name)) {
                    error(ref.mark, ref.path,
                          "unknown group " + quoted(ref.name) +
                              " (no static directory defines it; " + known(groups) + ")");
                }
                break;
        }
    }
}

}  // namespace

LoadResult load_config_text(std::string_view text, const std::string& file_name,
                            const LoadOptions& options) {
    LoadResult result;
    Loader loader(file_name, options);
    try {
        const auto documents = YAML::LoadAll(std::string(text));
        if (documents.size() > 1) {
            loader.error(documents[1], "",
                         "only one YAML document is allowed (found a second one here)");
        }
        const Node root = documents.empty() ? Node(YAML::NodeType::Null) : documents.front();
        loader.load_root(root, result.config);
        loader.check_references(result.config);
    } catch (const YAML::Exception& e) { loader.error(e.mark, "", "YAML syntax error: " + e.msg); }
    result.errors = std::move(loader.errors);
    std::stable_sort(result.errors.begin(), result.errors.end(),
                     [](const ConfigError& a, const ConfigError& b) {
                         return std::tie(a.line, a.column) < std::tie(b.line, b.column);
                     });
    return result;
}

LoadResult load_config_file(const std::string& path, const LoadOptions& options) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        LoadResult result;
        result.errors.push_back(ConfigError{
            path, 0, 0, "", std::string("cannot open: ") + std::strerror(errno)});  // NOLINT
        return result;
    }
    std::ostringstream content;
    content << in.rdbuf();
    return load_config_text(content.str(), path, options);
}

}  // namespace bindery::app
