#include <gtest/gtest.h>

#include <limits>
#include <optional>
#include <string_view>

#include "core/error.hpp"
#include "core/event.hpp"
#include "core/reservation.hpp"
#include "test_support.hpp"

namespace inventory {
namespace {

using test::Request;

constexpr Timestamp kNow = 1'000'000;
constexpr std::string_view kRef = "ORDER-1/1";

Reservation Apply(const std::optional<Reservation>& existing, EventKind kind, Quantity quantity,
                  std::optional<Timestamp> expires_at = std::nullopt,
                  std::optional<std::string_view> reason = std::nullopt, Timestamp now = kNow) {
    return apply_to_reservation(existing, Request(kind, quantity, reason), kRef, expires_at, now);
}

Reservation Holding(Quantity quantity, std::optional<Timestamp> expires_at = std::nullopt) {
    return Reservation{quantity, 0, 0, expires_at, ReservationStatus::Active};
}

TEST(Reservation, AllocateCreatesAnActiveHold) {
    const Reservation r = Apply(std::nullopt, EventKind::Allocate, 5, kNow + 900);
    EXPECT_EQ(r.quantity, 5);
    EXPECT_EQ(r.held(), 5);
    EXPECT_EQ(r.status, ReservationStatus::Active);
    EXPECT_EQ(r.expires_at, kNow + 900);
}

TEST(Reservation, AllocateAddsToAnActiveHoldThatLastsAsLongAsItsLongestPart) {
    const Reservation r = Apply(Holding(5, kNow + 10), EventKind::Allocate, 2, kNow + 600);
    EXPECT_EQ(r.quantity, 7);
    EXPECT_EQ(r.expires_at, kNow + 600);
    // An earlier end does not shorten the hold.
    EXPECT_EQ(Apply(Holding(5, kNow + 600), EventKind::Allocate, 1, kNow + 10).expires_at,
              kNow + 600);
    // A part without an end makes the whole hold open-ended, and an open-ended hold stays so.
    EXPECT_EQ(Apply(Holding(5, kNow + 10), EventKind::Allocate, 1).expires_at, std::nullopt);
    EXPECT_EQ(Apply(Holding(5), EventKind::Allocate, 1, kNow + 10).expires_at, std::nullopt);
}

TEST(Reservation, ExpiryMustLieInTheFuture) {
    EXPECT_ERROR_CODE(ErrorCode::InvalidParameter,
                      Apply(std::nullopt, EventKind::Allocate, 1, kNow));
    EXPECT_ERROR_CODE(ErrorCode::InvalidParameter,
                      Apply(std::nullopt, EventKind::Allocate, 1, kNow - 1));
}

TEST(Reservation, ExpiryAppliesToAllocateOnly) {
    EXPECT_ERROR_CODE(ErrorCode::InvalidParameter,
                      Apply(Holding(5), EventKind::Fulfill, 1, kNow + 10));
    EXPECT_ERROR_CODE(ErrorCode::InvalidParameter,
                      Apply(Holding(5), EventKind::Deallocate, 1, kNow + 10));
}

TEST(Reservation, ClosedOrExpiredReservationIsNotReopened) {
    Reservation closed = Holding(3);
    closed.released = 3;
    closed.status = ReservationStatus::Released;
    EXPECT_ERROR_CODE(ErrorCode::ReferenceClosed, Apply(closed, EventKind::Allocate, 1));
    EXPECT_ERROR_CODE(ErrorCode::ReservationExpired,
                      Apply(Holding(3, kNow), EventKind::Allocate, 1));
}

TEST(Reservation, FulfillTakesPartOfTheHold) {
    const Reservation r = Apply(Holding(5), EventKind::Fulfill, 2);
    EXPECT_EQ(r.fulfilled, 2);
    EXPECT_EQ(r.held(), 3);
    EXPECT_EQ(r.status, ReservationStatus::Active);
}

TEST(Reservation, NeverTakesMoreThanItHolds) {
    Reservation r = Apply(Holding(5), EventKind::Fulfill, 2);
    EXPECT_ERROR_CODE(ErrorCode::InsufficientReserved, Apply(r, EventKind::Fulfill, 4));
    EXPECT_ERROR_CODE(ErrorCode::InsufficientReserved, Apply(r, EventKind::Deallocate, 4));
    r = Apply(r, EventKind::Deallocate, 3);
    EXPECT_EQ(r.held(), 0);
    // Releasing or fulfilling a closed reservation again cannot drive anything negative.
    EXPECT_ERROR_CODE(ErrorCode::InsufficientReserved, Apply(r, EventKind::Deallocate, 1));
    EXPECT_ERROR_CODE(ErrorCode::InsufficientReserved, Apply(r, EventKind::Fulfill, 1));
}

TEST(Reservation, ClosingStatusSaysHowItEnded) {
    EXPECT_EQ(Apply(Holding(2), EventKind::Fulfill, 2).status, ReservationStatus::Fulfilled);
    EXPECT_EQ(Apply(Apply(Holding(2), EventKind::Fulfill, 1), EventKind::Deallocate, 1).status,
              ReservationStatus::Fulfilled);
    EXPECT_EQ(Apply(Holding(2), EventKind::Deallocate, 2).status, ReservationStatus::Released);
    EXPECT_EQ(Apply(Holding(2, kNow), EventKind::Deallocate, 2, std::nullopt, "EXPIRED").status,
              ReservationStatus::Expired);
}

TEST(Reservation, ExpiredHoldCannotBeFulfilledButCanBeReleased) {
    const Reservation r = Holding(4, kNow);
    EXPECT_TRUE(r.expired_at(kNow));
    EXPECT_FALSE(r.expired_at(kNow - 1));
    EXPECT_ERROR_CODE(ErrorCode::ReservationExpired, Apply(r, EventKind::Fulfill, 1));
    EXPECT_EQ(Apply(r, EventKind::Deallocate, 4).held(), 0);
    // Before its time it ships normally.
    EXPECT_EQ(Apply(r, EventKind::Fulfill, 1, std::nullopt, std::nullopt, kNow - 1).held(), 3);
}

TEST(Reservation, UnknownReferenceIsNotFound) {
    EXPECT_ERROR_CODE(ErrorCode::ReferenceNotFound, Apply(std::nullopt, EventKind::Fulfill, 1));
    EXPECT_ERROR_CODE(ErrorCode::ReferenceNotFound, Apply(std::nullopt, EventKind::Deallocate, 1));
}

TEST(Reservation, GrowingBeyondBigintIsOutOfRange) {
    EXPECT_ERROR_CODE(ErrorCode::OutOfRange,
                      Apply(Holding(std::numeric_limits<Quantity>::max()), EventKind::Allocate, 1));
}

TEST(Reservation, WhichEventsTouchReservations) {
    EXPECT_TRUE(touches_reservations(EventKind::Allocate, true));
    EXPECT_FALSE(touches_reservations(EventKind::Allocate, false));
    EXPECT_TRUE(touches_reservations(EventKind::Fulfill, false));
    EXPECT_TRUE(touches_reservations(EventKind::Deallocate, false));
    EXPECT_FALSE(touches_reservations(EventKind::Receive, true));
}

TEST(Reservation, UnreferencedEventsTakeOnlyUnheldReservedUnits) {
    const EventRequest fulfill = Request(EventKind::Fulfill, 3);
    EXPECT_NO_THROW(check_unassigned_reserved(fulfill, 10, 7));
    EXPECT_ERROR_CODE(ErrorCode::InsufficientReserved, check_unassigned_reserved(fulfill, 10, 8));
    EXPECT_ERROR_CODE(ErrorCode::InsufficientReserved,
                      check_unassigned_reserved(Request(EventKind::Deallocate, 1), 5, 5));
    // More than the level reserves at all: compute_transition reports that, with the level's
    // figures.
    EXPECT_NO_THROW(check_unassigned_reserved(Request(EventKind::Fulfill, 6), 5, 5));
}

TEST(Reservation, StatusSpellingsRoundTrip) {
    for (auto status : {ReservationStatus::Active, ReservationStatus::Fulfilled,
                        ReservationStatus::Released, ReservationStatus::Expired}) {
        EXPECT_EQ(parse_reservation_status(to_string(status)), status);
    }
    EXPECT_ERROR_CODE(ErrorCode::Internal, parse_reservation_status("OPEN"));
}

}  // namespace
}  // namespace inventory
