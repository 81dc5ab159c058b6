#include "libs/core/ids.h"

#include "absl/strings/str_cat.h"

namespace rentstream::core {
namespace {

bool IsUpperAlnum(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool IsSeparator(char c) { return c == '-' || c == '/'; }

// Printable rendering of untrusted input for error messages.
std::string Quote(absl::string_view text) {
  std::string out = "\"";
  for (char c : text.substr(0, 40)) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7F) {
      absl::StrAppend(&out, "\\x", absl::Hex(u, absl::kZeroPad2));
    } else {
      out.push_back(c);
    }
  }
  if (text.size() > 40) out += "...";
  return out + "\"";
}

}  // namespace

absl::StatusOr<TenancyRef> TenancyRef::Parse(absl::string_view text) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("tenancy_ref: ", Quote(text), " ", why));
  };
  if (text.empty()) return bad("is empty");
  if (text.size() < 3 || text.size() > 32) return bad("must be 3 to 32 characters");
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c >= 'a' && c <= 'z') return bad("must be upper case");
    if (!IsUpperAlnum(c) && !IsSeparator(c)) {
      return bad(absl::StrCat("has a character not allowed at position ", i + 1,
                              " (allowed: A-Z 0-9 - /)"));
    }
    if (IsSeparator(c) && i > 0 && IsSeparator(text[i - 1]))
      return bad("has two separators in a row");
  }
  if (!IsUpperAlnum(text.front()) || !IsUpperAlnum(text.back())) {
    return bad("must start and end with a letter or digit");
  }
  return TenancyRef(std::string(text));
}

absl::StatusOr<CommandId> CommandId::Parse(absl::string_view text) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("command_id: ", Quote(text), " ", why));
  };
  if (text.empty()) return bad("is empty");
  if (text.size() > 64) return bad("is longer than 64 characters");
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) {
      return bad(absl::StrCat("has a character not allowed at position ", i + 1,
                              " (allowed: A-Z a-z 0-9 . _ : -)"));
    }
  }
  return CommandId(std::string(text));
}

}  // namespace rentstream::core
