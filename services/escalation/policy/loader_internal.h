#pragma once
// Internal to the loader: typed reads of yaml-cpp nodes that report "file:line: reason".

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/core/civil_date.h"
#include "services/escalation/policy/policy.h"

namespace rentstream::escalation::policy::internal {

class YamlReader {
 public:
  explicit YamlReader(std::string file) : file_(std::move(file)) {}
  const std::string& file() const { return file_; }

  int Line(const YAML::Node& node) const;  // 1-based; 0 if the node does not exist
  absl::Status Error(const YAML::Node& node, absl::string_view reason) const;
  absl::Status ErrorAtLine(int line, absl::string_view reason) const;

  absl::Status ExpectMap(const YAML::Node& node, absl::string_view what) const;
  absl::Status ExpectSequence(const YAML::Node& node, absl::string_view what) const;
  // Refuses keys outside `allowed`: a misspelt key must not silently drop a guard.
  absl::Status OnlyKeys(const YAML::Node& map, std::initializer_list<const char*> allowed) const;

  absl::StatusOr<std::string> Scalar(const YAML::Node& node, absl::string_view what) const;
  absl::StatusOr<std::string> RequiredString(const YAML::Node& parent, const char* key) const;
  absl::StatusOr<std::string> OptionalString(const YAML::Node& parent, const char* key) const;
  absl::StatusOr<int> RequiredInt(const YAML::Node& parent, const char* key, int min,
                                  int max) const;
  absl::StatusOr<core::Date> RequiredDate(const YAML::Node& parent, const char* key) const;
  absl::StatusOr<int> RequiredCode(const YAML::Node& parent, const char* key,
                                   const EnumCodes& codes) const;
  absl::StatusOr<int> Code(const YAML::Node& node, const EnumCodes& codes) const;
  absl::StatusOr<std::vector<int>> CodeList(const YAML::Node& parent, const char* key,
                                            const EnumCodes& codes, bool required) const;

  absl::StatusOr<Action> LoadAction(const YAML::Node& rule, const YAML::Node& action) const;

 private:
  std::string file_;
};

}  // namespace rentstream::escalation::policy::internal
