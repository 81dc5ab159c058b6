#include "services/escalation/app/case_codec.h"

#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"

namespace rentstream::escalation::app {
namespace {

using Decoder = absl::StatusOr<CaseEvent> (*)(std::string_view payload);

template <typename Payload>
absl::StatusOr<CaseEvent> Decode(std::string_view payload) {
  Payload p;
  if (!p.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return absl::InvalidArgumentError(
        absl::StrCat("payload: not a ", Payload::descriptor()->full_name()));
  }
  return CaseEvent(std::move(p));
}

template <size_t... I>
absl::flat_hash_map<std::string, Decoder> MakeDecoders(std::index_sequence<I...>) {
  absl::flat_hash_map<std::string, Decoder> decoders;
  (decoders.emplace(std::variant_alternative_t<I, CaseEvent>::descriptor()->full_name(),
                    &Decode<std::variant_alternative_t<I, CaseEvent>>),
   ...);
  return decoders;
}

const absl::flat_hash_map<std::string, Decoder>& Decoders() {
  static const auto* decoders = new absl::flat_hash_map<std::string, Decoder>(
      MakeDecoders(std::make_index_sequence<std::variant_size_v<CaseEvent>>()));
  return *decoders;
}

}  // namespace

runtime::NewEvent ToNewEvent(const CaseEvent& event) {
  return std::visit([](const auto& e) { return runtime::NewEvent::Of(e); }, event);
}

std::vector<runtime::NewEvent> ToNewEvents(const std::vector<CaseEvent>& events) {
  std::vector<runtime::NewEvent> out;
  out.reserve(events.size());
  for (const CaseEvent& e : events) out.push_back(ToNewEvent(e));
  return out;
}

absl::StatusOr<CaseEvent> FromEvent(const common::v1::Event& event) {
  const auto& decoders = Decoders();
  auto it = decoders.find(event.envelope().event_type());
  if (it == decoders.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("event_type: unknown escalation event ", event.envelope().event_type()));
  }
  if (event.envelope().schema_version() > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("schema_version: ", event.envelope().event_type(), " v",
                     event.envelope().schema_version(), " is newer than this build"));
  }
  return it->second(event.payload());
}

}  // namespace rentstream::escalation::app
