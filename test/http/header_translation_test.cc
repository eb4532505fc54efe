#include "src/http/header_translation.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tether::http {
namespace {

using codec::HeaderMap;
using codec::Protocol;
using codec::PseudoHeader;

// An HTTP/1.1 request as the HTTP/1 codec gives it: request line as pseudo-headers, Host a field.
HeaderMap Http1Request(std::initializer_list<std::pair<const char*, const char*>> fields) {
  HeaderMap h;
  h.Set(PseudoHeader::kMethod, "POST");
  h.Set(PseudoHeader::kPath, "/svc/Method");
  h.Add("Host", "backend:8080");
  for (const auto& [k, v] : fields) h.Add(k, v);
  return h;
}

std::vector<std::string> Names(const HeaderMap& h) {
  std::vector<std::string> names;
  for (const auto& e : h) names.emplace_back(e.name);
  return names;
}

TEST(HeaderTranslationTest, Http1ToHttp2Request) {
  HeaderMap h = Http1Request({{"Connection", "keep-alive, X-Hop, TE"},
                              {"Keep-Alive", "timeout=5"},
                              {"Proxy-Connection", "keep-alive"},
                              {"Upgrade", "websocket"},
                              {"X-Hop", "1"},
                              {"TE", "trailers, deflate;q=0.5"},
                              {"Content-Type", "application/grpc"},
                              {"X-Keep", "yes"}});
  TranslateRequestHeaders(h, Protocol::kHttp2, "http");
  EXPECT_EQ(h.Get(PseudoHeader::kAuthority), "backend:8080");  // Host -> :authority
  EXPECT_EQ(h.Get(PseudoHeader::kScheme), "http");
  EXPECT_EQ(h.Get(PseudoHeader::kMethod), "POST");
  EXPECT_EQ(Names(h), (std::vector<std::string>{"content-type", "x-keep", "te"}));  // lowercase, hop-by-hop gone
  EXPECT_EQ(h.Get("te"), "trailers");
}

TEST(HeaderTranslationTest, Http2ToHttp1Request) {
  HeaderMap h;
  h.Set(PseudoHeader::kMethod, "GET");
  h.Set(PseudoHeader::kScheme, "https");
  h.Set(PseudoHeader::kAuthority, "api.example");
  h.Set(PseudoHeader::kPath, "/x");
  h.Add("host", "ignored.example");  // :authority wins (RFC 9113 §8.3.1)
  h.Add("te", "trailers");
  h.Add("accept", "*/*");
  TranslateRequestHeaders(h, Protocol::kHttp1, "http");
  // The HTTP/1 codec writes Host from :authority.
  EXPECT_EQ(h.Get(PseudoHeader::kAuthority), "api.example");
  EXPECT_FALSE(h.Has("host"));
  EXPECT_EQ(h.Get(PseudoHeader::kScheme), "https");  // as the client said
  EXPECT_EQ(h.Get("te"), "trailers");
  EXPECT_EQ(h.Get("accept"), "*/*");
}

TEST(HeaderTranslationTest, TeOtherThanTrailersGoes) {
  for (const char* te : {"gzip", "deflate, chunked", "trailersx", ""}) {
    HeaderMap h = Http1Request({{"TE", te}});
    TranslateRequestHeaders(h, Protocol::kHttp2, "http");
    EXPECT_FALSE(h.Has("te")) << te;
  }
  HeaderMap upper = Http1Request({{"TE", "Trailers"}});
  TranslateRequestHeaders(upper, Protocol::kHttp1, "http");
  EXPECT_EQ(upper.GetAll("te"), (std::vector<std::string_view>{"trailers"}));
}

TEST(HeaderTranslationTest, ConnectionCannotStripRoutingOrFraming) {
  // Every Connection field counts: x-a is named in the second one.
  HeaderMap h = Http1Request({{"Connection", "close, host"},
                              {"Connection", "content-length, x-a"},
                              {"Content-Length", "3"},
                              {"X-A", "1"},
                              {"X-B", "2"}});
  TranslateRequestHeaders(h, Protocol::kHttp1, "http");
  EXPECT_EQ(h.Get(PseudoHeader::kAuthority), "backend:8080");
  EXPECT_EQ(h.Get("content-length"), "3");
  EXPECT_FALSE(h.Has("x-a"));
  EXPECT_FALSE(h.Has("connection"));
  EXPECT_EQ(h.Get("X-B"), "2");  // HTTP/1 keeps the case it came with
}

TEST(HeaderTranslationTest, ContentLengthKeptWhenValid) {
  HeaderMap repeated = Http1Request({{"Content-Length", "5, 5"}, {"Content-Length", "5"}});
  TranslateRequestHeaders(repeated, Protocol::kHttp2, "http");
  EXPECT_EQ(repeated.GetAll("content-length"), (std::vector<std::string_view>{"5"}));
  // One field written otherwise than the number ("5, 5", leading zeros) is rewritten; one that
  // reads as the number stays as it is.
  for (const char* written : {"5, 5", "005"}) {
    HeaderMap h = Http1Request({{"Content-Length", written}});
    TranslateRequestHeaders(h, Protocol::kHttp1, "http");
    EXPECT_EQ(h.GetAll("content-length"), (std::vector<std::string_view>{"5"})) << written;
  }
  HeaderMap plain = Http1Request({{"Content-Length", "5"}});
  TranslateRequestHeaders(plain, Protocol::kHttp1, "http");
  EXPECT_EQ(plain.GetAll("content-length"), (std::vector<std::string_view>{"5"}));
  for (const char* bad : {"5, 6", "-1", "abc", "", "99999999999999999999"}) {
    HeaderMap h = Http1Request({{"Content-Length", bad}});
    TranslateRequestHeaders(h, Protocol::kHttp2, "http");
    EXPECT_FALSE(h.Has("content-length")) << bad;
  }
  // Chunked framing wins over a length (RFC 9112 §6.3); the codec frames the body anew.
  HeaderMap chunked = Http1Request({{"Transfer-Encoding", "chunked"}, {"Content-Length", "5"}});
  TranslateRequestHeaders(chunked, Protocol::kHttp2, "http");
  EXPECT_FALSE(chunked.Has("content-length"));
  EXPECT_FALSE(chunked.Has("transfer-encoding"));
}

TEST(HeaderTranslationTest, Http1RequestWithoutHostHasNoAuthority) {
  HeaderMap h;
  h.Set(PseudoHeader::kMethod, "GET");
  h.Set(PseudoHeader::kPath, "/");
  TranslateRequestHeaders(h, Protocol::kHttp2, "http");
  EXPECT_FALSE(h.Has(PseudoHeader::kAuthority));
  EXPECT_EQ(h.Get(PseudoHeader::kScheme), "http");
}

TEST(HeaderTranslationTest, Responses) {
  HeaderMap http1;  // an HTTP/1 upstream's response going to an HTTP/2 client
  http1.SetStatus(200);
  http1.Add("Connection", "keep-alive, X-Secret");
  http1.Add("Keep-Alive", "timeout=5");
  http1.Add("Transfer-Encoding", "chunked");
  http1.Add("X-Secret", "s");
  http1.Add("Content-Type", "application/grpc");
  http1.Add("Trailer", "grpc-status");
  http1.Add("te", "trailers");  // a request field: never on a response
  http1.Add("Upgrade", "websocket");
  http1.Add("Proxy-Connection", "keep-alive");
  TranslateResponseHeaders(http1, Protocol::kHttp2);
  EXPECT_EQ(http1.Status(), 200);
  EXPECT_EQ(Names(http1), (std::vector<std::string>{"content-type", "trailer"}));

  HeaderMap http2;  // an HTTP/2 upstream's response going to an HTTP/1 client
  http2.SetStatus(204);
  http2.Add("content-length", "0");
  http2.Add("server", "h2");
  TranslateResponseHeaders(http2, Protocol::kHttp1);
  EXPECT_EQ(Names(http2), (std::vector<std::string>{"content-length", "server"}));
}

TEST(HeaderTranslationTest, NominatedFields) {
  std::vector<std::string> names;
  ForEachNominatedField(" close ,X-A,, keep-alive,te, Upgrade,HOST ,content-length,x-b ",
                        [&](std::string_view n) { names.emplace_back(n); });
  EXPECT_EQ(names, (std::vector<std::string>{"X-A", "x-b"}));
}

}  // namespace
}  // namespace tether::http
