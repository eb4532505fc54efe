#include "src/network/listener_socket.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "src/network/connection_handler.h"

namespace tether::network {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

// Records what the listener handed over, and answers so the client can tell.
class RecordingFactory final : public ConnectionHandlerFactory {
 public:
  void OnAccepted(TcpSocket socket, const AcceptedFrom& from, http::WorkerState& worker) const override {
    ++accepted;
    name = from.listener_name;
    id = from.listener_id;
    state = &worker;
    boost::system::error_code ignored;
    asio::write(socket, asio::buffer(std::string_view("served\n")), ignored);
    socket.close(ignored);
  }
  mutable int accepted = 0;
  mutable std::string name;
  mutable uint64_t id = 0;
  mutable http::WorkerState* state = nullptr;
};

TEST(ListenerSocketTest, HandsEachAcceptedConnectionToTheFactory) {
  asio::io_context io;
  http::WorkerState state;
  RecordingFactory factory;
  auto socket = std::make_shared<ListenerSocket>(io, state, factory);
  config::Listener listener;
  listener.name = "ingress";
  listener.address = "127.0.0.1";
  listener.port = 0;
  ASSERT_TRUE(socket->Bind(listener).ok());
  ASSERT_NE(socket->port(), 0);
  socket->StartAccepting();

  for (int i = 1; i <= 2; ++i) {
    tcp::socket client(io);
    client.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), socket->port()));
    // A bound, not a measurement: the accept is on this thread's io_context.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (factory.accepted < i && std::chrono::steady_clock::now() < deadline) {
      io.run_one_for(std::chrono::milliseconds(50));
    }
    ASSERT_EQ(factory.accepted, i);
    std::string got;
    boost::system::error_code ec;
    asio::read(client, asio::dynamic_buffer(got), ec);
    EXPECT_EQ(got, "served\n");
  }
  EXPECT_EQ(factory.name, "ingress");
  EXPECT_EQ(factory.id, socket->id());
  EXPECT_EQ(factory.state, &state);
  socket->Close();
  io.run();  // the accept loop ends (operation_aborted) and lets go of the socket
}

}  // namespace
}  // namespace tether::network
