#pragma once
// The soak's growth criterion: does a resource (RSS, open descriptors) grow without bound?
// Samples of the second half of the run (the first half is warm-up: caches, pools and the
// allocator's arenas fill) are fitted with a least-squares line; the resource "grows" when that
// line rises over the second half by more than an allowed slack. A resource that rises and then
// stays flat has a slope near zero over the second half; one that leaks keeps its slope.

#include <cstddef>
#include <string>
#include <vector>

namespace bindery::soak {

struct Sample {
    double t = 0;      // seconds since the start of the run
    double value = 0;  // bytes, descriptors...
};

struct Fit {
    double slope = 0;  // units per second
    double intercept = 0;
    std::size_t points = 0;
};

// Least squares over `samples` (fewer than two points, or all at one time: slope 0).
inline Fit least_squares(const std::vector<Sample>& samples) {
    Fit fit;
    fit.points = samples.size();
    if (samples.size() < 2) {
        if (!samples.empty()) fit.intercept = samples.front().value;
        return fit;
    }
    double st = 0, sv = 0;
    for (const auto& s : samples) {
        st += s.t;
        sv += s.value;
    }
    const double n = static_cast<double>(samples.size());
    const double mt = st / n, mv = sv / n;
    double num = 0, den = 0;
    for (const auto& s : samples) {
        num += (s.t - mt) * (s.value - mv);
        den += (s.t - mt) * (s.t - mt);
    }
    fit.slope = den > 0 ? num / den : 0;
    fit.intercept = mv - fit.slope * mt;
    return fit;
}

struct Growth {
    Fit fit;             // over the second half
    double span = 0;     // seconds covered by the second half
    double rise = 0;     // fit.slope * span: growth the line predicts over the second half
    double allowed = 0;  // the slack
    double first = 0, last = 0, peak = 0;  // whole run
    bool unbounded = false;                // rise > allowed
};

// `slack_abs` in the samples' unit, `slack_frac` of the second half's mean: the larger is allowed.
inline Growth judge_growth(const std::vector<Sample>& samples, double slack_abs,
                           double slack_frac) {
    Growth g;
    if (samples.empty()) return g;
    g.first = samples.front().value;
    g.last = samples.back().value;
    for (const auto& s : samples) g.peak = s.value > g.peak ? s.value : g.peak;
    const double mid = (samples.front().t + samples.back().t) / 2;
    std::vector<Sample> second;
    double sum = 0;
    for (const auto& s : samples) {
        if (s.t < mid) continue;
        second.push_back(s);
        sum += s.value;
    }
    g.fit = least_squares(second);
    if (second.size() >= 2) g.span = second.back().t - second.front().t;
    g.rise = g.fit.slope * g.span;
    const double mean = second.empty() ? 0 : sum / static_cast<double>(second.size());
    g.allowed = slack_abs > slack_frac * mean ? slack_abs : slack_frac * mean;
    g.unbounded = second.size() >= 3 && g.rise > g.allowed;
    return g;
}

}  // namespace bindery::soak
