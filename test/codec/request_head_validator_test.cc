#include "src/codec/request_head_validator.h"

#include <gtest/gtest.h>

#include <string>

namespace tether::codec {
namespace {

HeadCheck Validate(const std::string& head, HeadLimits limits = {}) { return CheckRequestHead(head, limits); }
HeadError Check(const std::string& head, HeadLimits limits = {}) { return Validate(head, limits).error; }

// A request line, Host, the given header lines and the blank line.
std::string Head(const std::string& headers, const std::string& line = "POST /x HTTP/1.1") {
  return line + "\r\nHost: a\r\n" + headers + "\r\n";
}

TEST(RequestHeadValidatorTest, AcceptsPlainRequests) {
  EXPECT_EQ(Check(Head("", "GET / HTTP/1.1")), HeadError::kNone);
  EXPECT_EQ(Check(Head("", "GET /p?q=1&r=%20 HTTP/1.1")), HeadError::kNone);
  EXPECT_EQ(Check(Head("", "OPTIONS * HTTP/1.1")), HeadError::kNone);
  EXPECT_EQ(Check(Head("", "GET http://a/b HTTP/1.1")), HeadError::kNone);
  EXPECT_EQ(Check(Head("X-Tab:\tvalue with\ttabs \r\nX-Empty:\r\nX-Utf8: caf\xc3\xa9\r\n")), HeadError::kNone);
  EXPECT_EQ(Check("GET / HTTP/1.0\r\n\r\n"), HeadError::kNone);  // no Host needed in 1.0
}

TEST(RequestHeadValidatorTest, AcceptsUnambiguousLengths) {
  EXPECT_EQ(Check(Head("Content-Length: 5\r\n")), HeadError::kNone);
  EXPECT_EQ(Check(Head("Content-Length: 5\r\nContent-Length: 5\r\n")), HeadError::kNone);
  EXPECT_EQ(Check(Head("Content-Length: 5, 5\r\n")), HeadError::kNone);
  EXPECT_EQ(Check(Head("Content-Length: 18446744073709551615\r\n")), HeadError::kNone);  // max uint64
  EXPECT_EQ(Check(Head("Transfer-Encoding: chunked\r\n")), HeadError::kNone);
  EXPECT_EQ(Check(Head("Transfer-Encoding: CHUNKED\r\n")), HeadError::kNone);
  // Codings before chunked are refused: the proxy re-frames bodies as plain chunked.
  EXPECT_EQ(Check(Head("Transfer-Encoding: gzip, chunked\r\n")), HeadError::kAmbiguousLength);
  EXPECT_EQ(Check(Head("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n")), HeadError::kAmbiguousLength);
}

TEST(RequestHeadValidatorTest, TooLarge) {
  const std::string head = Head("X-Big: " + std::string(200, 'a') + "\r\n");
  EXPECT_EQ(Check(head, {head.size() - 1, 100}), HeadError::kTooLarge);
  EXPECT_EQ(Check(head, {head.size(), 100}), HeadError::kNone);
}

TEST(RequestHeadValidatorTest, TooManyHeaders) {
  std::string many;
  for (int i = 0; i < 10; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
  EXPECT_EQ(Check(Head(many), {60 * 1024, 10}), HeadError::kTooManyHeaders);  // Host makes 11
  EXPECT_EQ(Check(Head(many), {60 * 1024, 11}), HeadError::kNone);
}

TEST(RequestHeadValidatorTest, MalformedRequestLine) {
  EXPECT_EQ(Check(Head("", "GET  / HTTP/1.1")), HeadError::kMalformed);   // double space
  EXPECT_EQ(Check(Head("", "GET / HTTP/1.1 ")), HeadError::kMalformed);   // trailing space
  EXPECT_EQ(Check(Head("", " GET / HTTP/1.1")), HeadError::kMalformed);   // leading space
  EXPECT_EQ(Check(Head("", "GET /\tx HTTP/1.1")), HeadError::kMalformed); // CTL in target
  EXPECT_EQ(Check(Head("", "GET / x HTTP/1.1")), HeadError::kMalformed);  // space in target
  EXPECT_EQ(Check(Head("", "GET /")), HeadError::kMalformed);
  EXPECT_EQ(Check(Head("", "GET / HTTP/2.0")), HeadError::kMalformed);
  EXPECT_EQ(Check(Head("", "GET / http/1.1")), HeadError::kMalformed);
  EXPECT_EQ(Check(Head("", "G(T / HTTP/1.1")), HeadError::kMalformed);
  EXPECT_EQ(Check("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"), HeadError::kMalformed);
}

TEST(RequestHeadValidatorTest, BareCr) {
  EXPECT_EQ(Check(Head("X-Bad: a\rb\r\n")), HeadError::kMalformed);
  EXPECT_EQ(Check(Head("X-Bad\r: a\r\n")), HeadError::kMalformed);
  EXPECT_EQ(Check(Head("", "GET /\r HTTP/1.1")), HeadError::kMalformed);
  EXPECT_EQ(Check(Head("", "GET / HTTP/1.1\r")), HeadError::kMalformed);
  EXPECT_EQ(Validate(Head("X-Bad: a\rb\r\n")).reason, "bare CR");
}

TEST(RequestHeadValidatorTest, BareLf) {
  EXPECT_EQ(Check("GET / HTTP/1.1\nHost: a\n\n"), HeadError::kMalformed);
  EXPECT_EQ(Check("GET / HTTP/1.1\r\nHost: a\n\r\n"), HeadError::kMalformed);
  EXPECT_EQ(Check("GET / HTTP/1.1\r\nHost: a\r\n\n"), HeadError::kMalformed);
  EXPECT_EQ(Validate("GET / HTTP/1.1\r\nHost: a\n\r\n").reason, "bare LF");
}

TEST(RequestHeadValidatorTest, Incomplete) {
  EXPECT_EQ(Check("GET / HTTP/1.1\r\nHost: a\r\n"), HeadError::kMalformed);
  EXPECT_EQ(Check(""), HeadError::kMalformed);
}

TEST(RequestHeadValidatorTest, ObsFold) {
  EXPECT_EQ(Check(Head("X-Folded: a\r\n b\r\n")), HeadError::kMalformed);
  EXPECT_EQ(Check(Head("X-Folded: a\r\n\tb\r\n")), HeadError::kMalformed);
}

TEST(RequestHeadValidatorTest, BadFieldNames) {
  EXPECT_EQ(Check(Head("Content-Length : 0\r\n")), HeadError::kMalformed);
  EXPECT_EQ(Check(Head("X-A\t: 0\r\n")), HeadError::kMalformed);
  EXPECT_EQ(Check(Head(": x\r\n")), HeadError::kMalformed);
  EXPECT_EQ(Check(Head("Bad Name: x\r\n")), HeadError::kMalformed);
  EXPECT_EQ(Check(Head("X(y): x\r\n")), HeadError::kMalformed);
  EXPECT_EQ(Check(Head("NoColon\r\n")), HeadError::kMalformed);
}

TEST(RequestHeadValidatorTest, CtlInValue) {
  EXPECT_EQ(Check(Head(std::string("X-Nul: a") + '\0' + "b\r\n")), HeadError::kMalformed);
  EXPECT_EQ(Check(Head(std::string("X-Ctl: a") + '\x01' + "b\r\n")), HeadError::kMalformed);
  EXPECT_EQ(Check(Head(std::string("X-Del: a") + '\x7f' + "b\r\n")), HeadError::kMalformed);
}

TEST(RequestHeadValidatorTest, ContentLengthAndTransferEncoding) {
  const HeadCheck c = Validate(Head("Content-Length: 1\r\nTransfer-Encoding: chunked\r\n"));
  EXPECT_EQ(c.error, HeadError::kAmbiguousLength);
  EXPECT_EQ(c.reason, "both Content-Length and Transfer-Encoding");
  EXPECT_EQ(Check(Head("Transfer-Encoding: chunked\r\nContent-Length: 1\r\n")), HeadError::kAmbiguousLength);
}

TEST(RequestHeadValidatorTest, DifferingContentLengths) {
  EXPECT_EQ(Check(Head("Content-Length: 5\r\nContent-Length: 6\r\n")), HeadError::kAmbiguousLength);
  EXPECT_EQ(Check(Head("Content-Length: 5, 6\r\n")), HeadError::kAmbiguousLength);
  EXPECT_EQ(Check(Head("Content-Length: 5, 5\r\nContent-Length: 6\r\n")), HeadError::kAmbiguousLength);
}

TEST(RequestHeadValidatorTest, InvalidContentLength) {
  EXPECT_EQ(Check(Head("Content-Length: +5\r\n")), HeadError::kAmbiguousLength);
  EXPECT_EQ(Check(Head("Content-Length: -1\r\n")), HeadError::kAmbiguousLength);
  EXPECT_EQ(Check(Head("Content-Length: 5x\r\n")), HeadError::kAmbiguousLength);
  EXPECT_EQ(Check(Head("Content-Length: 0x10\r\n")), HeadError::kAmbiguousLength);
  EXPECT_EQ(Check(Head("Content-Length:\r\n")), HeadError::kAmbiguousLength);
  EXPECT_EQ(Check(Head("Content-Length: 5,\r\n")), HeadError::kAmbiguousLength);
  EXPECT_EQ(Check(Head("Content-Length: 1 2\r\n")), HeadError::kAmbiguousLength);
  EXPECT_EQ(Check(Head("Content-Length: 18446744073709551616\r\n")), HeadError::kAmbiguousLength);
}

TEST(RequestHeadValidatorTest, TransferEncodingNotEndingInChunked) {
  EXPECT_EQ(Check(Head("Transfer-Encoding: chunked, gzip\r\n")), HeadError::kAmbiguousLength);
  EXPECT_EQ(Check(Head("Transfer-Encoding: gzip\r\n")), HeadError::kAmbiguousLength);
  EXPECT_EQ(Check(Head("Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n")), HeadError::kAmbiguousLength);
}

TEST(RequestHeadValidatorTest, ChunkedTwice) {
  EXPECT_EQ(Check(Head("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n")), HeadError::kAmbiguousLength);
  EXPECT_EQ(Check(Head("Transfer-Encoding: chunked, chunked\r\n")), HeadError::kAmbiguousLength);
}

TEST(RequestHeadValidatorTest, UnsupportedTransferCoding) {
  EXPECT_EQ(Check(Head("Transfer-Encoding: identity\r\n")), HeadError::kAmbiguousLength);
  EXPECT_EQ(Check(Head("Transfer-Encoding: foo, chunked\r\n")), HeadError::kAmbiguousLength);
  EXPECT_EQ(Check(Head("Transfer-Encoding: xchunked\r\n")), HeadError::kAmbiguousLength);
  EXPECT_EQ(Check(Head("Transfer-Encoding: chunked;x=1\r\n")), HeadError::kAmbiguousLength);
  EXPECT_EQ(Check(Head("Transfer-Encoding: \r\n")), HeadError::kAmbiguousLength);
  EXPECT_EQ(Check(Head("Transfer-Encoding: ,chunked\r\n")), HeadError::kAmbiguousLength);
}

TEST(RequestHeadValidatorTest, TransferEncodingInHttp10) {
  EXPECT_EQ(Check("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"), HeadError::kAmbiguousLength);
}

TEST(RequestHeadValidatorTest, MissingHost) {
  EXPECT_EQ(Check("GET / HTTP/1.1\r\nX: y\r\n\r\n"), HeadError::kMalformed);
  EXPECT_EQ(Validate("GET / HTTP/1.1\r\n\r\n").reason, "missing Host header");
}

TEST(RequestHeadValidatorTest, MultipleHosts) {
  EXPECT_EQ(Check(Head("Host: b\r\n")), HeadError::kMalformed);
  EXPECT_EQ(Check(Head("HOST: a\r\n")), HeadError::kMalformed);
  EXPECT_EQ(Check("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n"), HeadError::kMalformed);
}

// RFC 9110 7.2 / RFC 3986 3.2.2: a Host two parties could read differently.
TEST(RequestHeadValidatorTest, RefusesHostWithSpaceOrUserinfo) {
  const auto host = [](const std::string& value) { return "GET / HTTP/1.1\r\nHost: " + value + "\r\n\r\n"; };
  EXPECT_EQ(Check(host("a b")), HeadError::kMalformed);
  EXPECT_EQ(Check(host("a\tb")), HeadError::kMalformed);
  EXPECT_EQ(Check(host("evil@good.example")), HeadError::kMalformed);
  EXPECT_EQ(Check(host("a/b")), HeadError::kMalformed);
  EXPECT_EQ(Check(host("a#b")), HeadError::kMalformed);
  EXPECT_EQ(Validate(host("a@b")).reason, "invalid Host header");
  EXPECT_EQ(Check(host("a.example:8080")), HeadError::kNone);
  EXPECT_EQ(Check(host("[::1]:80")), HeadError::kNone);
  EXPECT_EQ(Check(host("  padded.example  ")), HeadError::kNone);  // OWS is not part of the value
  EXPECT_EQ(Check(host("")), HeadError::kNone);  // RFC 9110 7.2: empty when the URI has no authority
}

// RFC 9112 3.2: a fragment is not part of a request target.
TEST(RequestHeadValidatorTest, RefusesFragmentInTarget) {
  EXPECT_EQ(Check(Head("", "GET /a#b HTTP/1.1")), HeadError::kMalformed);
  EXPECT_EQ(Validate(Head("", "GET /admin#/public HTTP/1.1")).reason, "fragment in request target");
  EXPECT_EQ(Check(Head("", "GET http://a/b#c HTTP/1.1")), HeadError::kMalformed);
}

// The authority of an absolute-form target replaces Host: it gets Host's checks.
TEST(RequestHeadValidatorTest, AbsoluteFormAuthority) {
  EXPECT_EQ(Check(Head("", "GET http://a.example:80/b HTTP/1.1")), HeadError::kNone);
  EXPECT_EQ(Validate(Head("", "GET http://user@a/b HTTP/1.1")).reason, "invalid authority in request target");
  EXPECT_EQ(Validate(Head("", "GET http:///b HTTP/1.1")).reason, "absolute-form target without authority");
}

}  // namespace
}  // namespace tether::codec
