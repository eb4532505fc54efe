#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "src/codec/header_map.h"
#include "src/config/snapshot.h"

namespace tether::http {

// A request's hash from its route's hash_policy (Envoy's HashPolicyImpl::generateHash), for
// RING_HASH and MAGLEV clusters: each policy whose value the request has adds that value's
// xxHash64 into the hash (the hash so far rotated left by one bit, then XOR, so that two equal
// policies do not cancel out); a terminal policy that produced a hash ends the list. nullopt
// when no policy found its value (the load balancer then picks at random).
//   header: every value of the header, sorted, chained through xxHash64 (one value: its hash);
//   cookie: the value of the first cookie of that name in the Cookie headers;
//   source IP: the downstream peer's address without port or brackets ("10.0.0.7", "::1").
// `downstream_remote_address` is the connection's peer, "ip:port" or "[v6]:port".
std::optional<uint64_t> RequestHash(std::span<const config::HashPolicy> policies, const codec::HeaderMap& headers,
                                    std::string_view downstream_remote_address);

// Another hash for the `attempt`th re-pick (retry_host_predicate previous_hosts): the same
// request hash would land on the same host again. Deterministic, as every hash here.
uint64_t RehashForAttempt(uint64_t hash, uint32_t attempt);

}  // namespace tether::http
