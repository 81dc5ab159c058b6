#pragma once
// Structured logs: one JSON object per line on stderr, with the ids that let an operator follow a
// request (service, tenancy_ref, command_id, correlation_id, ...). RENTSTREAM_LOG_LEVEL sets the
// threshold (debug, info, warn, error; default info).

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace rentstream::runtime {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

using LogField = std::pair<std::string_view, std::string>;

void Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields = {});

inline void LogDebug(std::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kDebug, m, f);
}
inline void LogInfo(std::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kInfo, m, f);
}
inline void LogWarn(std::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kWarn, m, f);
}
inline void LogError(std::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kError, m, f);
}

// Formats one log line (without the newline); exposed for tests.
std::string FormatLogLine(LogLevel level, std::string_view message,
                          std::initializer_list<LogField> fields, int64_t unix_micros);

}  // namespace rentstream::runtime
