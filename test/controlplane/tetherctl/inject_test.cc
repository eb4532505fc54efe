#include "controlplane/tetherctl/inject.h"

#include <gtest/gtest.h>

namespace tether::ctl {
namespace {

constexpr char kDeployment[] = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: example/web:1
        env:
        - {name: PORT, value: "8080"}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports: [{port: 80}]
)";

std::vector<YAML::Node> Docs(const std::string& text) { return YAML::LoadAll(text); }

TEST(InjectTest, AddsTheSidecarFirstWithItsVolumeAndLabelAndKeepsTheRest) {
  auto settings = SidecarSettingsFromValues("", "mesh", "0.1.0");
  ASSERT_TRUE(settings.ok()) << settings.status();
  auto injected = InjectSidecar(kDeployment, *settings);
  ASSERT_TRUE(injected.ok()) << injected.status();
  EXPECT_TRUE(injected->warnings.empty());
  const std::string* out = &injected->yaml;
  const auto docs = Docs(*out);
  ASSERT_EQ(docs.size(), 2u);
  const YAML::Node pod = docs[0]["spec"]["template"];
  const YAML::Node containers = pod["spec"]["containers"];
  ASSERT_EQ(containers.size(), 2u);
  EXPECT_EQ(containers[0]["name"].as<std::string>(), "tether");
  EXPECT_EQ(containers[0]["image"].as<std::string>(), "localhost/tether:0.1.0");
  EXPECT_EQ(containers[1]["name"].as<std::string>(), "app");
  EXPECT_EQ(pod["metadata"]["labels"]["tether.io/service-cluster"].as<std::string>(), "web");
  EXPECT_EQ(pod["spec"]["volumes"][0]["configMap"]["name"].as<std::string>(), "mesh-sidecar");
  EXPECT_EQ(containers[0]["readinessProbe"]["httpGet"]["path"].as<std::string>(), "/healthz/ready");
  // What was quoted stays a string; the Service passes through.
  EXPECT_NE(out->find("value: \"8080\""), std::string::npos) << *out;
  EXPECT_NE(out->find("- \"2\""), std::string::npos);  // --concurrency's value, a string as in the chart
  EXPECT_EQ(docs[1]["kind"].as<std::string>(), "Service");
  EXPECT_EQ(docs[1]["spec"]["ports"][0]["port"].as<int>(), 80);
}

TEST(InjectTest, InjectingTwiceChangesNothing) {
  auto settings = SidecarSettingsFromValues("", "tether", "0.1.0");
  auto once = InjectSidecar(kDeployment, *settings);
  ASSERT_TRUE(once.ok());
  auto twice = InjectSidecar(once->yaml, *settings);
  ASSERT_TRUE(twice.ok());
  EXPECT_EQ(once->yaml, twice->yaml);
}

TEST(InjectTest, ValuesInTheChartsLayoutChangeTheSidecar) {
  auto settings = SidecarSettingsFromValues(R"(
fullnameOverride: prod
images: {tether: {repository: registry.local/tether, tag: "2.0", pullPolicy: Always}}
sidecar: {logLevel: debug, concurrency: 4, drainTimeSeconds: 20, healthPort: 15121,
          resources: {limits: {cpu: "1", memory: 256Mi}}}
securityContext: {runAsUser: 1000}
)", "rel", "0.1.0");
  ASSERT_TRUE(settings.ok()) << settings.status();
  EXPECT_EQ(settings->image, "registry.local/tether:2.0");
  EXPECT_EQ(settings->pull_policy, "Always");
  EXPECT_EQ(settings->bootstrap_config_map, "prod-sidecar");
  EXPECT_EQ(settings->concurrency, 4);
  EXPECT_EQ(settings->health_port, 15121);
  EXPECT_EQ(settings->run_as_user, 1000);
  auto out = InjectSidecar(kDeployment, *settings);
  ASSERT_TRUE(out.ok());
  const YAML::Node sidecar = Docs(out->yaml)[0]["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(sidecar["args"][11].as<std::string>(), "20s");
  EXPECT_EQ(sidecar["resources"]["limits"]["memory"].as<std::string>(), "256Mi");
  EXPECT_EQ(sidecar["ports"][1]["containerPort"].as<int>(), 15121);
}

TEST(InjectTest, ErrorsNameTheValueOrTheDocument) {
  auto bad = SidecarSettingsFromValues("sidecar: {concurrency: many}", "tether", "0.1.0");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "sidecar.concurrency: want an integer, got many");

  auto settings = SidecarSettingsFromValues("", "tether", "0.1.0");
  auto short_grace = InjectSidecar(R"(kind: Pod
metadata: {name: p}
spec:
  terminationGracePeriodSeconds: 5
  containers: [{name: app, image: x}]
)", *settings);
  ASSERT_FALSE(short_grace.ok());
  EXPECT_EQ(short_grace.status().message(),
            "document 1: p: terminationGracePeriodSeconds must be more than the sidecar's 5s drain");
  auto nameless = InjectSidecar("kind: Deployment\nspec: {template: {spec: {containers: []}}}\n", *settings);
  ASSERT_FALSE(nameless.ok());
  EXPECT_EQ(nameless.status().message(), "document 1: metadata.name: required");
}

TEST(InjectTest, AnAppPortTheSidecarUsesIsRefused) {
  auto settings = SidecarSettingsFromValues("sidecar: {outboundPort: 16001}", "tether", "0.1.0");
  ASSERT_TRUE(settings.ok());
  auto clash = InjectSidecar(R"(kind: Pod
metadata: {name: p}
spec:
  containers: [{name: app, image: x, ports: [{containerPort: 8080}, {containerPort: 16001}]}]
)", *settings);
  ASSERT_FALSE(clash.ok());
  EXPECT_EQ(clash.status().message(), "document 1: p: container app: port 16001 is the sidecar's outbound port");
  auto fine = InjectSidecar("kind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: app, image: x, ports: [{containerPort: 15001}]}]}\n",
                            *settings);
  EXPECT_TRUE(fine.ok()) << fine.status();  // 15001 is free when the outbound port moved
}

TEST(InjectTest, AWorkloadInAnotherNamespaceThanTheReleaseIsRefused) {
  auto settings = SidecarSettingsFromValues("", "tether", "0.1.0");
  settings->release_namespace = "mesh";
  const std::string in_shop = "kind: Pod\nmetadata: {name: p, namespace: shop}\nspec: {containers: [{name: app, image: x}]}\n";
  auto refused = InjectSidecar(in_shop, *settings);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(),
            "document 1 (p): namespace shop, but the sidecar's ConfigMap tether-sidecar is in mesh "
            "(a pod mounts ConfigMaps of its own namespace only)");
  EXPECT_TRUE(InjectSidecar("kind: Pod\nmetadata: {name: p, namespace: mesh}\nspec: {containers: [{name: app, image: x}]}\n",
                            *settings).ok());
  settings->release_namespace.clear();  // not given: not checked
  EXPECT_TRUE(InjectSidecar(in_shop, *settings).ok());
}

TEST(InjectTest, ListItemsAreInjectedAndJobsLeftAloneWithAWarning) {
  auto settings = SidecarSettingsFromValues("", "tether", "0.1.0");
  auto out = InjectSidecar(R"(apiVersion: v1
kind: List
items:
- {kind: Pod, metadata: {name: a}, spec: {containers: [{name: app, image: x}]}}
- {kind: Job, metadata: {name: once}, spec: {template: {spec: {containers: [{name: app, image: x}]}}}}
)", *settings);
  ASSERT_TRUE(out.ok()) << out.status();
  const YAML::Node items = Docs(out->yaml)[0]["items"];
  EXPECT_EQ(items[0]["spec"]["containers"][0]["name"].as<std::string>(), "tether");
  EXPECT_EQ(items[1]["spec"]["template"]["spec"]["containers"].size(), 1u);
  ASSERT_EQ(out->warnings.size(), 1u);
  EXPECT_EQ(out->warnings[0],
            "document 1 items[1] (Job once): not injected: the sidecar does not exit, so the job would never complete");
}

TEST(InjectTest, WhatIsNotAManifestPassesThroughUnchanged) {
  auto settings = SidecarSettingsFromValues("", "tether", "0.1.0");
  auto out = InjectSidecar("kind: List\nitems: [~, [a, b], plain]\n---\n[x, y]\n", *settings);
  ASSERT_TRUE(out.ok()) << out.status();
  const auto docs = Docs(out->yaml);
  ASSERT_EQ(docs.size(), 2u);
  const YAML::Node items = docs[0]["items"];
  EXPECT_TRUE(items[0].IsNull());
  ASSERT_TRUE(items[1].IsSequence()) << out->yaml;  // not turned into a map by a lookup
  EXPECT_EQ(items[1][1].as<std::string>(), "b");
  EXPECT_EQ(items[2].as<std::string>(), "plain");
  ASSERT_TRUE(docs[1].IsSequence()) << out->yaml;
}

}  // namespace
}  // namespace tether::ctl
