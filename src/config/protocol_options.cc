#include "src/config/protocol_options.h"

#include <google/protobuf/wrappers.pb.h>

#include "absl/strings/str_cat.h"
#include "src/common/http2_limits.h"
#include "src/config/validation_util.h"

namespace tether::config {
namespace {

using absl::StrCat;

// Each field: its bounds (named as the proto field, so the lookup below ties the two) and where
// it goes in the snapshot.
struct Http2Field {
  const Http2Limit* limit;
  uint32_t Http2ProtocolOptions::*out;
};

constexpr Http2Field kHttp2Fields[] = {
    {&kHttp2MaxConcurrentStreams, &Http2ProtocolOptions::max_concurrent_streams},
    {&kHttp2InitialStreamWindowSize, &Http2ProtocolOptions::initial_stream_window_size},
    {&kHttp2InitialConnectionWindowSize, &Http2ProtocolOptions::initial_connection_window_size},
    {&kHttp2MaxOutboundFrames, &Http2ProtocolOptions::max_outbound_frames},
    {&kHttp2MaxOutboundControlFrames, &Http2ProtocolOptions::max_outbound_control_frames},
    {&kHttp2MaxConsecutiveInboundFramesWithEmptyPayload,
     &Http2ProtocolOptions::max_consecutive_inbound_frames_with_empty_payload},
    {&kHttp2MaxInboundWindowUpdateFramesPerDataFrameSent,
     &Http2ProtocolOptions::max_inbound_window_update_frames_per_data_frame_sent},
};

CodecType ToCodecType(v1::HttpConnectionManager::CodecType t) {
  switch (t) {
    case v1::HttpConnectionManager::HTTP1: return CodecType::kHttp1;
    case v1::HttpConnectionManager::HTTP2: return CodecType::kHttp2;
    default: return CodecType::kAuto;
  }
}

UpstreamProtocol ToUpstreamProtocol(v1::Cluster::UpstreamProtocol p) {
  switch (p) {
    case v1::Cluster::HTTP2: return UpstreamProtocol::kHttp2;
    case v1::Cluster::USE_DOWNSTREAM: return UpstreamProtocol::kUseDownstream;
    default: return UpstreamProtocol::kHttp1;
  }
}

}  // namespace

absl::Status ApplyHttp2ProtocolOptions(const v1::Http2ProtocolOptions& in, const std::string& path,
                                       Http2ProtocolOptions* out) {
  const auto* descriptor = in.GetDescriptor();
  const auto* reflection = in.GetReflection();
  for (const Http2Field& f : kHttp2Fields) {
    const auto* field = descriptor->FindFieldByName(f.limit->field);
    if (field == nullptr) return absl::InternalError(StrCat("http2_protocol_options has no field ", f.limit->field));
    if (!reflection->HasField(in, field)) continue;
    const auto* wrapper =
        google::protobuf::DynamicCastToGenerated<google::protobuf::UInt32Value>(&reflection->GetMessage(in, field));
    if (wrapper == nullptr) return absl::InternalError(StrCat("http2_protocol_options.", f.limit->field, " is no UInt32Value"));
    const uint32_t value = wrapper->value();
    if (value < f.limit->min || value > f.limit->max) {
      return Err(StrCat(path, ".", f.limit->field),
                 StrCat(value, " is out of range (", f.limit->min, "-", f.limit->max, ")"));
    }
    if (out != nullptr) out->*f.out = value;
  }
  return absl::OkStatus();
}

absl::Status ApplyListenerProtocol(const v1::Listener& l, const std::string& path, Listener* out) {
  const auto& hcm = l.http_connection_manager();
  const std::string hcm_path = path + ".http_connection_manager";
  // JSON may give an enum as a number, and proto3 keeps unknown ones.
  if (!v1::HttpConnectionManager::CodecType_IsValid(hcm.codec_type())) {
    return Err(hcm_path + ".codec_type", StrCat(static_cast<int>(hcm.codec_type()), " is not AUTO, HTTP1 or HTTP2"));
  }
  if (hcm.has_http2_protocol_options() && hcm.codec_type() == v1::HttpConnectionManager::HTTP1) {
    return Err(hcm_path + ".http2_protocol_options",
               "has no effect with codec_type HTTP1 (set codec_type to AUTO or HTTP2, or leave the options out)");
  }
  TETHER_RETURN_IF_ERROR(ApplyHttp2ProtocolOptions(hcm.http2_protocol_options(), hcm_path + ".http2_protocol_options",
                                                   out != nullptr ? &out->http2 : nullptr));
  if (out != nullptr) out->codec_type = ToCodecType(hcm.codec_type());
  return absl::OkStatus();
}

absl::Status ApplyClusterProtocol(const v1::Cluster& c, const std::string& path, Cluster* out) {
  if (!v1::Cluster::UpstreamProtocol_IsValid(c.protocol())) {
    return Err(path + ".protocol", StrCat(static_cast<int>(c.protocol()), " is not HTTP1, HTTP2 or USE_DOWNSTREAM"));
  }
  // Envoy takes the options' mere presence as "speak HTTP/2"; Tether says so with `protocol`, and
  // refuses options that would silently do nothing (docs/decisions/0032-http2-grpc-config.md).
  if (c.has_http2_protocol_options() && c.protocol() == v1::Cluster::HTTP1) {
    return Err(path + ".http2_protocol_options",
               "has no effect with protocol HTTP1, the default (set protocol: HTTP2 or USE_DOWNSTREAM)");
  }
  TETHER_RETURN_IF_ERROR(ApplyHttp2ProtocolOptions(c.http2_protocol_options(), path + ".http2_protocol_options",
                                                   out != nullptr ? &out->http2 : nullptr));
  if (out != nullptr) out->protocol = ToUpstreamProtocol(c.protocol());
  return absl::OkStatus();
}

}  // namespace tether::config
