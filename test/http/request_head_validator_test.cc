#include "src/http/request_head_validator.h"

#include <gtest/gtest.h>

namespace tether::http {
namespace {

HeadError Check(const std::string& head, HeadLimits limits = {}) { return CheckRequestHead(head, limits).error; }

std::string Head(const std::string& headers, const std::string& line = "GET / HTTP/1.1") {
  return line + "\r\nHost: a\r\n" + headers + "\r\n";
}

TEST(RequestHeadValidatorTest, AcceptsValidHeads) {
  EXPECT_EQ(Check(Head("")), HeadError::kNone);
  EXPECT_EQ(Check(Head("Content-Length: 5\r\nContent-Length: 5\r\n", "POST /x?y=1 HTTP/1.1")), HeadError::kNone);
  EXPECT_EQ(Check(Head("Transfer-Encoding: chunked\r\n", "POST / HTTP/1.1")), HeadError::kNone);
  EXPECT_EQ(Check(Head("Transfer-Encoding: CHUNKED\r\n", "POST / HTTP/1.1")), HeadError::kNone);
  EXPECT_EQ(Check(Head("X-Tab:\tvalue with\ttabs \r\n")), HeadError::kNone);
  EXPECT_EQ(Check("GET / HTTP/1.0\r\n\r\n"), HeadError::kNone);  // no Host needed in 1.0
}

TEST(RequestHeadValidatorTest, AmbiguousLengths) {
  EXPECT_EQ(Check(Head("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n")), HeadError::kAmbiguousLength);
  EXPECT_EQ(Check(Head("Content-Length: 5\r\nContent-Length: 6\r\n")), HeadError::kAmbiguousLength);
  EXPECT_EQ(Check(Head("Content-Length: 5, 6\r\n")), HeadError::kAmbiguousLength);
  EXPECT_EQ(Check(Head("Content-Length: +5\r\n")), HeadError::kAmbiguousLength);
  EXPECT_EQ(Check(Head("Content-Length: 99999999999999999999\r\n")), HeadError::kAmbiguousLength);
  EXPECT_EQ(Check(Head("Transfer-Encoding: chunked, gzip\r\n")), HeadError::kAmbiguousLength);
  EXPECT_EQ(Check(Head("Transfer-Encoding: identity\r\n")), HeadError::kAmbiguousLength);
  EXPECT_EQ(Check(Head("Transfer-Encoding: gzip, chunked\r\n")), HeadError::kAmbiguousLength);
  EXPECT_EQ(Check(Head("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n")), HeadError::kAmbiguousLength);
  EXPECT_EQ(Check("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"), HeadError::kAmbiguousLength);
}

TEST(RequestHeadValidatorTest, MalformedLines) {
  EXPECT_EQ(Check(Head("X-Folded: a\r\n b\r\n")), HeadError::kMalformed);             // obs-fold
  EXPECT_EQ(Check(Head("Content-Length : 0\r\n")), HeadError::kMalformed);           // space before colon
  EXPECT_EQ(Check(Head("X-Bad: a\rb\r\n")), HeadError::kMalformed);                  // bare CR
  EXPECT_EQ(Check("GET / HTTP/1.1\nHost: a\n\n"), HeadError::kMalformed);            // bare LF
  EXPECT_EQ(Check(Head("X-Nul: a\0b\r\n")), HeadError::kNone);                        // std::string stops at NUL
  EXPECT_EQ(Check(Head(std::string("X-Nul: a") + '\x01' + "b\r\n")), HeadError::kMalformed);
  EXPECT_EQ(Check(Head("Bad Name: x\r\n")), HeadError::kMalformed);
  EXPECT_EQ(Check(Head(": x\r\n")), HeadError::kMalformed);
  EXPECT_EQ(Check(Head("", "GET  / HTTP/1.1")), HeadError::kMalformed);
  EXPECT_EQ(Check(Head("", "GET / HTTP/2.0")), HeadError::kMalformed);
  EXPECT_EQ(Check(Head("", "G(T / HTTP/1.1")), HeadError::kMalformed);
  EXPECT_EQ(Check("GET / HTTP/1.1\r\nX: y\r\n\r\n"), HeadError::kMalformed);          // no Host
  EXPECT_EQ(Check(Head("Host: b\r\n")), HeadError::kMalformed);                       // two Hosts
}

TEST(RequestHeadValidatorTest, Limits) {
  std::string many;
  for (int i = 0; i < 10; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
  EXPECT_EQ(Check(Head(many), {60 * 1024, 10}), HeadError::kTooManyHeaders);  // Host makes 11
  EXPECT_EQ(Check(Head(many), {60 * 1024, 11}), HeadError::kNone);
  EXPECT_EQ(Check(Head("X-Big: " + std::string(200, 'a') + "\r\n"), {100, 100}), HeadError::kTooLarge);
}

TEST(RequestHeadValidatorTest, ReasonsAreGiven) {
  const HeadCheck c = CheckRequestHead(Head("Content-Length: 1\r\nTransfer-Encoding: chunked\r\n"), {});
  EXPECT_EQ(c.reason, "both Content-Length and Transfer-Encoding");
}

}  // namespace
}  // namespace tether::http
