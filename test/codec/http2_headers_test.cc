#include "src/codec/http2_headers.h"

#include <gtest/gtest.h>

namespace tether::codec {
namespace {

TEST(ConnectionFieldTest, EachNameInAnyCaseIsClassified) {
  EXPECT_EQ(ClassifyConnectionField("te"), ConnectionField::kTe);
  EXPECT_EQ(ClassifyConnectionField("TE"), ConnectionField::kTe);
  EXPECT_EQ(ClassifyConnectionField("Upgrade"), ConnectionField::kUpgrade);
  EXPECT_EQ(ClassifyConnectionField("Connection"), ConnectionField::kConnection);
  EXPECT_EQ(ClassifyConnectionField("keep-ALIVE"), ConnectionField::kKeepAlive);
  EXPECT_EQ(ClassifyConnectionField("Proxy-Connection"), ConnectionField::kProxyConnection);
  EXPECT_EQ(ClassifyConnectionField("Transfer-Encoding"), ConnectionField::kTransferEncoding);
}

TEST(ConnectionFieldTest, NamesOfTheSameLengthsAreNotConnectionSpecific) {
  for (const char* name : {"tx", "ae", "upgradx", "x-cache", "connectiox", "keep-alivf", "x-forwarded", "proxy-connectiom",
                           "transfer-encodinh", "x-forwarded-proto", "content-length", "", "host"}) {
    EXPECT_EQ(ClassifyConnectionField(name), ConnectionField::kNone) << name;
    EXPECT_FALSE(IsConnectionSpecificName(name)) << name;
  }
}

TEST(ConnectionFieldTest, TeIsAllowedInHttp2OnlyAsTrailers) {
  EXPECT_FALSE(IsConnectionSpecificField("te", "trailers"));
  EXPECT_TRUE(IsConnectionSpecificField("te", "gzip"));
  EXPECT_TRUE(IsConnectionSpecificField("connection", "keep-alive"));
  EXPECT_FALSE(IsConnectionSpecificField("content-type", "text/plain"));
}

}  // namespace
}  // namespace tether::codec
