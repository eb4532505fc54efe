"""Bootstrap pieces for the HTTP/2 and gRPC e2e tests: the field names of issue 13's config in one
place (a cluster's `protocol`, `http2_protocol_options`, `codec_type`, a route's `max_grpc_timeout`)."""
from harness import Tether, bootstrap, cluster, with_tracing


def grpc_route(cluster_name, prefix="/", **route_fields):
    """A route to `cluster_name`. Long gRPC streams outlive Envoy's 15 s default route timeout, so
    it is off unless given (as Envoy's gRPC guidance says); grpc-timeout / max_grpc_timeout bound a call."""
    return {"match": {"prefix": prefix}, "route": dict({"cluster": cluster_name, "timeout": "0s"}, **route_fields)}


def h2_cluster(name, port, **extra):
    """A STATIC cluster whose hosts are spoken to in HTTP/2 (prior knowledge)."""
    return cluster(name, port, protocol="HTTP2", **extra)


def grpc_bootstrap(server_port, routes=None, hcm=None, cluster_extra=None):
    """One listener (codec AUTO: HTTP/1.1 and HTTP/2 on one port) -> cluster "grpc" in HTTP/2."""
    return bootstrap(0, routes=routes or [grpc_route("grpc")], hcm=hcm,
                     clusters=[h2_cluster("grpc", server_port, **(cluster_extra or {}))])


class TwoSidecars:
    """client -> egress sidecar (OUTBOUND) -> ingress sidecar (INBOUND) -> server, HTTP/2 on both hops,
    both tracing to `collector_port` when given. `egress.port` is where the client connects."""

    def __init__(self, server_port, collector_port=None, hcm=None, access_log_format=None):
        ingress_cfg = grpc_bootstrap(server_port, hcm=hcm)
        if collector_port:
            ingress_cfg = with_tracing(ingress_cfg, collector_port, direction="INBOUND")
        self._log_format(ingress_cfg, access_log_format)
        self.ingress = Tether(ingress_cfg)
        try:
            egress_cfg = bootstrap(0, routes=[grpc_route("ingress")], hcm=hcm,
                                   clusters=[h2_cluster("ingress", self.ingress.port)])
            if collector_port:
                egress_cfg = with_tracing(egress_cfg, collector_port, direction="OUTBOUND")
            self._log_format(egress_cfg, access_log_format)
            self.egress = Tether(egress_cfg)
        except BaseException:
            self.ingress.stop()
            raise

    @staticmethod
    def _log_format(config, fmt):
        if fmt:
            manager = config["static_resources"]["listeners"][0]["http_connection_manager"]
            manager["access_log"] = [{"path": "", "format": fmt}]

    def stop(self):
        self.egress.stop()
        self.ingress.stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def grpc_stat(stats, cluster_name, number, name):
    """cluster.X.grpc.<status>: by the status's number or its name (OK, NOT_FOUND ...), whichever
    the sidecar uses; None if neither is there."""
    for key in (f"cluster.{cluster_name}.grpc.{number}", f"cluster.{cluster_name}.grpc.{name}"):
        if key in stats:
            return stats[key]
    return None
