// The pure parts of inventory-http: status mapping, request targets, API key handling, JSON
// shape checks, and the OpenAPI document.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http/api_error.hpp"
#include "http/api_key.hpp"
#include "http/json_values.hpp"
#include "http/openapi.hpp"
#include "http/request.hpp"

namespace inventory::services {
namespace {

TEST(HttpStatus, MapsTheExtensionsCodesAndPostgresClasses) {
    EXPECT_EQ(http_status_for_sqlstate("IV001"), 409);  // insufficient stock
    EXPECT_EQ(http_status_for_sqlstate("IV002"), 409);
    EXPECT_EQ(http_status_for_sqlstate("IV004"), 422);
    EXPECT_EQ(http_status_for_sqlstate("IV009"), 422);
    EXPECT_EQ(http_status_for_sqlstate("IV012"), 403);
    EXPECT_EQ(http_status_for_sqlstate("42501"), 403);
    EXPECT_EQ(http_status_for_sqlstate("IV013"), 404);
    EXPECT_EQ(http_status_for_sqlstate("28000"), 401);
    EXPECT_EQ(http_status_for_sqlstate("22023"), 422);
    EXPECT_EQ(http_status_for_sqlstate("22P02"), 422);
    EXPECT_EQ(http_status_for_sqlstate("23514"), 422);
    EXPECT_EQ(http_status_for_sqlstate("23505"), 409);
    EXPECT_EQ(http_status_for_sqlstate("08006"), 503);
    EXPECT_EQ(http_status_for_sqlstate("57P01"), 503);
    EXPECT_EQ(http_status_for_sqlstate("53300"), 503);
    EXPECT_EQ(http_status_for_sqlstate("XX000"), 500);
    EXPECT_EQ(http_status_for_sqlstate("42883"), 500);
}

TEST(HttpStatus, ErrorBodyCarriesSqlstateMessageDetailAndHint) {
    const auto body = nlohmann::json::parse(
        error_body(ApiError(409, "IV001", "insufficient stock", "wanted 5", "retry later")));
    EXPECT_EQ(body["error"]["status"], 409);
    EXPECT_EQ(body["error"]["sqlstate"], "IV001");
    EXPECT_EQ(body["error"]["message"], "insufficient stock");
    EXPECT_EQ(body["error"]["detail"], "wanted 5");
    EXPECT_EQ(body["error"]["hint"], "retry later");
    const auto bare = nlohmann::json::parse(error_body(ApiError(422, "22023", "bad")));
    EXPECT_FALSE(bare["error"].contains("detail"));
}

TEST(RequestTarget, DecodesPathAndQuery) {
    ApiRequest request;
    parse_target("/api/inventory/availability?sku=TSH%2DRED+XL&warehouse_id=2&flag", request);
    EXPECT_EQ(request.path, "/api/inventory/availability");
    EXPECT_EQ(request.query.at("sku"), "TSH-RED XL");
    EXPECT_EQ(request.query.at("warehouse_id"), "2");
    EXPECT_EQ(request.query.at("flag"), "");
    ApiRequest order;
    parse_target("/api/orders/A%2F1/release", order);
    EXPECT_EQ(order.path, "/api/orders/A/1/release");
}

TEST(RequestTarget, RefusesBadEscapesAndRepeatedParameters) {
    ApiRequest request;
    EXPECT_THROW(parse_target("/x?sku=%4", request), ApiError);
    ApiRequest again;
    EXPECT_THROW(parse_target("/x?sku=%zz", again), ApiError);
    ApiRequest twice;
    try {
        parse_target("/x?sku=A&sku=B", twice);
        FAIL() << "a repeated parameter was accepted";
    } catch (const ApiError& error) {
        EXPECT_EQ(error.status, 422);
        EXPECT_EQ(error.sqlstate, "22023");
    }
}

TEST(ApiKeys, Sha256IsTheStandardDigestInHex) {
    EXPECT_EQ(api_key_sha256_hex("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ApiKeys, TakesBearerOrHeaderAndOnlyWellFormedKeys) {
    const std::string key = "ivk_" + std::string(64, 'a');
    EXPECT_EQ(api_key_from_headers("Bearer " + key, ""), key);
    EXPECT_EQ(api_key_from_headers("", key), key);
    EXPECT_EQ(api_key_from_headers("Basic abc", key), key);
    EXPECT_FALSE(api_key_from_headers("", ""));
    EXPECT_FALSE(api_key_from_headers("Bearer ivk_short", ""));
    EXPECT_FALSE(api_key_from_headers("", "ivk_" + std::string(64, 'G')));
}

TEST(ApiKeys, RecentKeysExpireAndCanBeDisabled) {
    RecentKeys none(std::chrono::milliseconds(0));
    none.remember("h", "shop");
    EXPECT_FALSE(none.role_of("h"));
    RecentKeys brief(std::chrono::milliseconds(30));
    brief.remember("h", "shop");
    EXPECT_EQ(brief.role_of("h"), "shop");
    brief.forget("h");
    EXPECT_FALSE(brief.role_of("h"));
    brief.remember("h", "shop");
    std::this_thread::sleep_for(std::chrono::milliseconds(60));
    EXPECT_FALSE(brief.role_of("h"));
}

TEST(JsonShape, ChecksObjectsKeysAndTypes) {
    EXPECT_THROW((void)parse_object_body("{"), ApiError);
    EXPECT_THROW((void)parse_object_body("[1]"), ApiError);
    const auto body = parse_object_body(R"({"sku": "A", "change": 5, "flag": true, "none": null})");
    EXPECT_NO_THROW(require_known_keys(body, {"sku", "change", "flag", "none"}));
    EXPECT_THROW(require_known_keys(body, {"sku", "change"}), ApiError);
    EXPECT_TRUE(has_value_of(body, "sku", JsonType::String));
    EXPECT_TRUE(has_value_of(body, "change", JsonType::Integer));
    EXPECT_FALSE(has_value_of(body, "none", JsonType::String));
    EXPECT_FALSE(has_value_of(body, "absent", JsonType::String));
    EXPECT_THROW(has_value_of(body, "absent", JsonType::String, true), ApiError);
    EXPECT_THROW(has_value_of(body, "change", JsonType::String), ApiError);
    EXPECT_THROW(has_value_of(body, "sku", JsonType::Boolean), ApiError);
    const auto fraction = parse_object_body(R"({"id": 1.5})");
    EXPECT_THROW(has_value_of(fraction, "id", JsonType::Integer), ApiError);
}

TEST(OpenApi, DocumentsEveryRoute) {
    const auto document = nlohmann::json::parse(openapi_document());
    EXPECT_EQ(document["openapi"], "3.0.3");
    for (const char* path :
         {"/api/inventory/adjust", "/api/inventory/availability", "/api/inventory/events",
          "/api/inventory/batches", "/api/orders", "/api/orders/{order_ref}/release",
          "/api/cache/status", "/healthz", "/api/openapi.json"})
        EXPECT_TRUE(document["paths"].contains(path)) << path;
}

}  // namespace
}  // namespace inventory::services
