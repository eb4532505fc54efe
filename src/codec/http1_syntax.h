#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

// The pieces of HTTP/1 syntax (RFC 9110 §5.6, RFC 9112) the strict parsers are made of. Each
// checks or splits what it is given and nothing more; the parsers decide what an answer means.
namespace tether::codec::http1_syntax {

// tchar (RFC 9110 §5.6.2); token = 1*tchar.
bool IsTokenChar(char c);
bool IsToken(std::string_view s);
// How many of `s`'s first characters are tchars.
std::size_t TokenPrefixLength(std::string_view s);
// field-value characters: no control character but HTAB, no DEL; obs-text allowed.
bool IsFieldValue(std::string_view s);
// A name already checked as a token against a lowercase name of letters, digits and '-' of the
// same size, without regard to case.
bool TokenEqualsLower(std::string_view token, std::string_view lower);
bool IsOws(char c);
bool IsDigit(char c);
std::string_view TrimOws(std::string_view s);
// The next comma-separated element of `list` (OWS trimmed), consumed.
std::string_view NextElement(std::string_view& list);
// The digit's value, or -1.
int HexValue(char c);
// chunk-ext (RFC 9112 §7.1.1): *( BWS ";" BWS token [ BWS "=" BWS ( token / quoted-string ) ] ),
// nothing after the last one.
bool IsChunkExtensions(std::string_view s);
// A field that frames the message or manages the connection; `name` is a token.
bool IsFramingField(std::string_view name);

enum class BlockScan : uint8_t { kNeedMore, kFound, kMalformed, kTooLarge };
// Looks for the empty line ending a block of CRLF-ended lines (a head or a trailer section) at
// most `limit` bytes long, resuming at line start `scanned`. On kFound, `end` is just past it.
BlockScan ScanBlock(std::string_view input, std::size_t limit, std::size_t& scanned, std::size_t& end);

}  // namespace tether::codec::http1_syntax
