#pragma once

// In-process upstreams on loopback for the pool tests: an HTTP/2 server (server codec under a
// CodecPump, as the sidecar's own downstream side will be) and a small scripted HTTP/1 server.

#include "src/common/io.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "src/codec/http2_server_connection.h"
#include "src/transport/codec_pump.h"
#include "src/transport/read_scratch.h"
#include "src/transport/tcp_transport.h"
#include "test/support/recording_decoder.h"
#include "test/support/run_until.h"

namespace tether::upstream::testing {

using Recorder = tether::testing::RecordingDecoder;
using tether::testing::RunUntil;

// Answers each request with 200 and "ok" once the request ended (unless `respond` is off).
class Http2Upstream {
 public:
  struct Connection : codec::ServerCallbacks {
    Http2Upstream* server = nullptr;
    std::unique_ptr<transport::TcpTransport> transport;
    std::unique_ptr<codec::Http2ServerConnection> codec;
    std::unique_ptr<transport::CodecPump> pump;
    std::map<codec::StreamId, std::unique_ptr<Recorder>> streams;
    bool ended = false;

    codec::StreamDecoder& OnNewStream(codec::StreamId id) override {
      auto& r = streams[id];
      r = std::make_unique<Recorder>();
      r->on_end = [this, id] {
        if (!server->respond) return;
        codec::HeaderMap response;
        response.SetStatus(200);
        EXPECT_TRUE(codec->EncodeHeaders(id, response, false).ok());
        const std::string body = "ok";
        EXPECT_TRUE(codec->EncodeData(id, {reinterpret_cast<const uint8_t*>(body.data()), body.size()}, true).ok());
        pump->OutputReady();
      };
      return *r;
    }
  };

  explicit Http2Upstream(boost::asio::io_context& io, codec::Http2Options options = {})
      : io_(io),
        options_(options),
        acceptor_(io.get_executor(), {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    boost::asio::co_spawn(io, Accept(), boost::asio::detached);
  }
  ~Http2Upstream() {
    for (auto& c : connections) {
      if (!c->ended) c->pump->Close();
    }
    RunUntil(io_, [&] {
      for (auto& c : connections) {
        if (!c->ended) return false;
      }
      return true;
    });
  }

  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::size_t stream_count() const {
    std::size_t n = 0;
    for (const auto& c : connections) n += c->streams.size();
    return n;
  }

  bool respond = true;
  std::vector<std::unique_ptr<Connection>> connections;

 private:
  Awaitable<void> Accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(kNoThrow);
      if (ec) co_return;
      auto c = std::make_unique<Connection>();
      c->server = this;
      c->transport = std::make_unique<transport::TcpTransport>(std::move(socket));
      auto made = codec::Http2ServerConnection::Create(*c, options_);
      EXPECT_TRUE(made.ok());
      c->codec = std::move(*made);
      c->pump = transport::MakeCodecPump(*c->transport, *c->codec, scratch_.span());
      Connection* raw = c.get();
      connections.push_back(std::move(c));
      boost::asio::co_spawn(io_, raw->pump->Run(), [raw](std::exception_ptr, transport::CodecPump::End) {
        raw->ended = true;
      });
    }
  }

  boost::asio::io_context& io_;
  codec::Http2Options options_;
  TcpAcceptor acceptor_;
  transport::ReadScratch scratch_;
};

// HTTP/1.1: reads each request head (no bodies) and answers "200 ok" (keep-alive), or closes
// after the answer when `close_after_response`.
class Http1Upstream {
 public:
  explicit Http1Upstream(boost::asio::io_context& io)
      : io_(io), acceptor_(io.get_executor(), {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    boost::asio::co_spawn(io, Accept(), boost::asio::detached);
  }
  ~Http1Upstream() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    for (auto& s : sockets_) s->close(ignored);
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }

  int connections = 0;
  int requests = 0;
  int closed_by_client = 0;
  bool respond = true;
  bool close_after_response = false;

 private:
  Awaitable<void> Accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(kNoThrow);
      if (ec) co_return;
      ++connections;
      sockets_.push_back(std::make_unique<TcpSocket>(std::move(socket)));
      boost::asio::co_spawn(io_, Serve(*sockets_.back()), boost::asio::detached);
    }
  }
  Awaitable<void> Serve(TcpSocket& socket) {
    std::string in;
    char buf[4096];
    for (;;) {
      auto [ec, n] = co_await socket.async_read_some(boost::asio::buffer(buf), kNoThrow);
      if (ec) {
        ++closed_by_client;
        co_return;
      }
      in.append(buf, n);
      for (std::size_t end; (end = in.find("\r\n\r\n")) != std::string::npos;) {
        in.erase(0, end + 4);
        ++requests;
        if (!respond) continue;
        const std::string response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        co_await boost::asio::async_write(socket, boost::asio::buffer(response), kNoThrow);
        if (close_after_response) {
          boost::system::error_code ignored;
          socket.close(ignored);
          co_return;
        }
      }
    }
  }

  boost::asio::io_context& io_;
  TcpAcceptor acceptor_;
  std::vector<std::unique_ptr<TcpSocket>> sockets_;
};

}  // namespace tether::upstream::testing
