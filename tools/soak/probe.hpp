#pragma once
// What the soak samples: a process's resident memory and open descriptors (/proc), and metric
// values from a Prometheus text exposition (/metrics).

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bindery::soak {

// VmRSS of /proc/<pid>/status in bytes; nullopt when the process is gone.
[[nodiscard]] std::optional<std::uint64_t> resident_bytes(pid_t pid);
// Entries of /proc/<pid>/fd; nullopt when the process is gone.
[[nodiscard]] std::optional<std::uint64_t> open_descriptors(pid_t pid);

// The sum of every sample of metric `name` (all label sets) in a Prometheus text exposition;
// nullopt when no sample has that name.
[[nodiscard]] std::optional<double> metric_sum(std::string_view exposition, std::string_view name);

}  // namespace bindery::soak
