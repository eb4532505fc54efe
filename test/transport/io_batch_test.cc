// The worker's batched socket calls over real loopback sockets: results as recv/send give them,
// one io_uring_enter for a round, rounds queued from results, and the direct fallbacks.
#include "src/transport/io_batch.h"

#include <functional>
#include <string>
#include <vector>

#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "test/transport/pump_test_util.h"

namespace tether::transport {
namespace {

using namespace tether::transport::testing;

// Sends `out` when asked (all of it at once), reads up to `limit`; records what it was told.
struct Recorder : IoBatch::Client {
  std::string out;
  std::size_t limit = 0;
  std::vector<Transport::IoResult> writes;
  std::vector<Transport::IoResult> reads;
  std::vector<bool> made;
  std::string received;
  std::function<void()> after;  // runs after each result

  virtual ~Recorder() = default;

  absl::Span<const uint8_t> BatchWriteBytes() override { return Bytes(out); }
  void OnBatchWrite(Transport::IoResult r, bool m) override {
    writes.push_back(r);
    made.push_back(m);
    if (after) after();
  }
  std::size_t BatchReadLimit() override { return limit; }
  void OnBatchRead(Transport::IoResult r, absl::Span<const uint8_t> bytes, bool m) override {
    reads.push_back(r);
    made.push_back(m);
    received.append(bytes.begin(), bytes.end());
    if (after) after();
  }
};

bool WouldBlock(const boost::system::error_code& ec) {
  return ec == boost::asio::error::would_block || ec == boost::asio::error::try_again;
}

class IoBatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    batch_ = &boost::asio::make_service<IoBatch>(io_, io_.get_executor(), true);
    if (!batch_->enabled()) GTEST_SKIP() << "io_uring is not available here";
  }

  void Run() {
    io_.restart();
    io_.run();
  }

  boost::asio::io_context io_;
  IoBatch* batch_ = nullptr;
};

TEST(IoBatchSetUpTest, WithoutTheServiceOrADescriptorOrWhenSwitchedOffCallsAreDirect) {
  boost::asio::io_context plain;
  EXPECT_EQ(IoBatch::For(plain, 3), nullptr);
  boost::asio::io_context off;
  boost::asio::make_service<IoBatch>(off, off.get_executor(), false);
  EXPECT_EQ(IoBatch::For(off, 3), nullptr);
  boost::asio::io_context on;
  auto& batch = boost::asio::make_service<IoBatch>(on, on.get_executor(), true);
  EXPECT_EQ(IoBatch::For(on, -1), nullptr);  // a transport without a plain descriptor (TLS)
  EXPECT_EQ(IoBatch::For(on, 3), batch.enabled() ? &batch : nullptr);
}

TEST_F(IoBatchTest, QueuedWritesAndReadsAreMadeInOneEnter) {
  std::vector<SocketPair> pairs;
  std::vector<Recorder> writers(3), readers(3);
  for (int i = 0; i < 3; ++i) pairs.push_back(LoopbackPair(io_));
  for (int i = 0; i < 3; ++i) {
    writers[i].out = "bytes for " + std::to_string(i);
    batch_->QueueWrite(pairs[i].client.native_handle(), writers[i]);
  }
  Run();
  EXPECT_EQ(batch_->calls(), 3u);
  EXPECT_EQ(batch_->enters(), 1u);
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(writers[i].writes.size(), 1u);
    EXPECT_FALSE(writers[i].writes[0].ec);
    EXPECT_EQ(writers[i].writes[0].bytes, writers[i].out.size());
    EXPECT_TRUE(writers[i].made[0]);
  }
  // The bytes are on the peers' side now: three reads, again one enter.
  for (int i = 0; i < 3; ++i) {
    readers[i].limit = 64;
    batch_->QueueRead(pairs[i].server.native_handle(), readers[i]);
  }
  Run();
  EXPECT_EQ(batch_->enters(), 2u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(readers[i].received, writers[i].out);
}

TEST_F(IoBatchTest, NothingThereIsWouldBlockAndAClosedPeerIsEof) {
  auto pair = LoopbackPair(io_);
  Recorder reader;
  reader.limit = 64;
  batch_->QueueRead(pair.server.native_handle(), reader);
  Run();
  ASSERT_EQ(reader.reads.size(), 1u);
  EXPECT_TRUE(WouldBlock(reader.reads[0].ec)) << reader.reads[0].ec.message();
  EXPECT_EQ(reader.reads[0].bytes, 0u);

  pair.client.close();
  batch_->QueueRead(pair.server.native_handle(), reader);
  Run();
  ASSERT_EQ(reader.reads.size(), 2u);
  EXPECT_EQ(reader.reads[1].ec, boost::asio::error::eof);
}

TEST_F(IoBatchTest, AWriteToAResetPeerFailsWithoutASignal) {
  auto pair = LoopbackPair(io_);
  struct linger reset{1, 0};
  ASSERT_EQ(setsockopt(pair.server.native_handle(), SOL_SOCKET, SO_LINGER, &reset, sizeof reset), 0);
  pair.server.close();  // RST: the next send is refused (EPIPE without MSG_NOSIGNAL would kill us)
  Recorder writer;
  writer.out = "to nobody";
  for (int i = 0; i < 2; ++i) {
    batch_->QueueWrite(pair.client.native_handle(), writer);
    Run();
  }
  ASSERT_EQ(writer.writes.size(), 2u);
  EXPECT_TRUE(writer.writes[0].ec || writer.writes[1].ec);
  EXPECT_FALSE(WouldBlock(writer.writes.back().ec));
}

TEST_F(IoBatchTest, AClientWithNothingToDoIsToldNothingWasMade) {
  auto pair = LoopbackPair(io_);
  Recorder idle;  // no bytes to send, no room to read
  batch_->QueueWrite(pair.client.native_handle(), idle);
  batch_->QueueRead(pair.client.native_handle(), idle);
  Run();
  EXPECT_EQ(idle.made, (std::vector<bool>{false, false}));
  EXPECT_EQ(batch_->calls(), 0u);
  EXPECT_EQ(batch_->enters(), 0u);
}

TEST_F(IoBatchTest, CallsQueuedFromAResultAreMadeInTheNextRoundOfTheSameFlush) {
  auto pair = LoopbackPair(io_);
  Recorder writer, reader;
  writer.out = "ping";
  reader.limit = 64;
  // The write's result queues the peer's read: a response read and then written on, in one flush.
  writer.after = [&] { batch_->QueueRead(pair.server.native_handle(), reader); };
  batch_->QueueWrite(pair.client.native_handle(), writer);
  Run();
  EXPECT_EQ(reader.received, "ping");
  EXPECT_EQ(batch_->enters(), 2u);
}

// Asking one client may run code that changes what another already said it would send (an
// HTTP/2 codec's output callbacks encode into other connections' codecs): the bytes sent are
// the current ones, never a buffer freed since.
TEST_F(IoBatchTest, ASpanMovedByAnotherClientsAskingIsAskedAgain) {
  auto a = LoopbackPair(io_);
  auto b = LoopbackPair(io_);
  struct Mover : Recorder {
    Recorder* other = nullptr;
    bool moved = false;
    absl::Span<const uint8_t> BatchWriteBytes() override {
      if (!moved) {
        moved = true;
        other->out.append(100000, 'y');  // reallocates: the span `other` gave is gone
        other->out.shrink_to_fit();
      }
      return Recorder::BatchWriteBytes();
    }
  };
  Recorder first;
  first.out = "x";
  Mover second;
  second.other = &first;
  second.out = "second";
  batch_->QueueWrite(a.client.native_handle(), first);
  batch_->QueueWrite(b.client.native_handle(), second);
  Run();
  ASSERT_EQ(first.writes.size(), 1u);
  ASSERT_GT(first.writes[0].bytes, 0u);
  std::string got(first.writes[0].bytes, '\0');
  boost::asio::read(a.server, boost::asio::buffer(got));
  EXPECT_EQ(got, first.out.substr(0, got.size()));
}

TEST_F(IoBatchTest, MoreReadsThanSlotsAreAllMade) {
  constexpr std::size_t kReads = IoBatch::kReadSlots + 5;
  std::vector<SocketPair> pairs;
  std::vector<Recorder> readers(kReads);
  for (std::size_t i = 0; i < kReads; ++i) {
    pairs.push_back(LoopbackPair(io_));
    const std::string message = "message " + std::to_string(i);
    boost::asio::write(pairs[i].client, boost::asio::buffer(message));
    readers[i].limit = 1 << 20;  // capped at a slot
    batch_->QueueRead(pairs[i].server.native_handle(), readers[i]);
  }
  Run();
  for (std::size_t i = 0; i < kReads; ++i) EXPECT_EQ(readers[i].received, "message " + std::to_string(i));
  EXPECT_EQ(batch_->calls(), kReads);
  EXPECT_EQ(batch_->enters(), 2u);  // a full round of slots, then the rest
}

TEST_F(IoBatchTest, AReadIsCappedAtItsSlot) {
  auto pair = LoopbackPair(io_);
  const std::string big(IoBatch::kReadSlotBytes + 100, 'x');
  boost::asio::write(pair.client, boost::asio::buffer(big));
  Recorder reader;
  reader.limit = big.size();
  batch_->QueueRead(pair.server.native_handle(), reader);
  Run();
  ASSERT_EQ(reader.reads.size(), 1u);
  EXPECT_EQ(reader.reads[0].bytes, IoBatch::kReadSlotBytes);
}

}  // namespace
}  // namespace tether::transport
