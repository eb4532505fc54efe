#pragma once

#include <boost/asio/execution_context.hpp>

#include "src/transport/codec_pump.h"

namespace tether::transport {

// The started pumps of one io_context, so that destroying the context with connections still open
// frees them. A pump's end handler owns the object serving its connection (ConnectionManager,
// CodecClient), which owns the pump: a cycle that the end breaks. The context's pending handlers
// are destroyed uncalled and own nothing (no coroutine frame holds the connection), so the
// context's shutdown drops the end handlers registered here instead. One thread (the worker's).
class PumpRegistry final : public boost::asio::execution_context::service {
 public:
  // A pump's end handler, linked here from Start until the end is reported.
  struct Entry {
    CodecPump::EndHandler handler;
    PumpRegistry* registry = nullptr;  // set while linked
    Entry* prev = nullptr;
    Entry* next = nullptr;
  };

  static inline boost::asio::execution_context::id id;

  explicit PumpRegistry(boost::asio::execution_context& context) : service(context) {}

  void Add(Entry& entry) {
    entry.registry = this;
    entry.prev = nullptr;
    entry.next = head_;
    if (head_ != nullptr) head_->prev = &entry;
    head_ = &entry;
  }

  static void Remove(Entry& entry) {
    if (entry.registry == nullptr) return;
    if (entry.prev != nullptr) entry.prev->next = entry.next;
    if (entry.next != nullptr) entry.next->prev = entry.prev;
    if (entry.registry->head_ == &entry) entry.registry->head_ = entry.next;
    entry.registry = nullptr;
    entry.prev = entry.next = nullptr;
  }

 private:
  void shutdown() override {
    while (head_ != nullptr) {
      Entry& entry = *head_;
      Remove(entry);
      // Destroying the handler may destroy the pump, and with it `entry`, and other pumps.
      CodecPump::EndHandler dropped = std::move(entry.handler);
    }
  }

  Entry* head_ = nullptr;
};

}  // namespace tether::transport
