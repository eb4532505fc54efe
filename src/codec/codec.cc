#include "src/codec/codec.h"

namespace tether::codec {

std::string_view ResetReasonName(StreamResetReason reason) {
  switch (reason) {
    case StreamResetReason::kLocalReset:
      return "local_reset";
    case StreamResetReason::kRemoteReset:
      return "remote_reset";
    case StreamResetReason::kRemoteRefusedStream:
      return "remote_refused_stream";
    case StreamResetReason::kProtocolError:
      return "protocol_error";
    case StreamResetReason::kOverflow:
      return "overflow";
    case StreamResetReason::kConnectionTermination:
      return "connection_termination";
  }
  return "unknown";
}

bool ResetByPeer(StreamResetReason reason) {
  return reason == StreamResetReason::kRemoteReset || reason == StreamResetReason::kRemoteRefusedStream ||
         reason == StreamResetReason::kConnectionTermination;
}

}  // namespace tether::codec
