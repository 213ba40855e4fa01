// The one table of error codes and their HTTP statuses. Codes are stable English and part
// of the API contract; add a row when a module needs a new one, never reuse a code.
#pragma once

#include <string_view>

namespace tb {

struct ErrorCodeInfo {
  std::string_view code;
  int http_status;
};

namespace codes {
// Generic request errors (http).
inline constexpr std::string_view kNotFound = "NOT_FOUND";
inline constexpr std::string_view kMethodNotAllowed = "METHOD_NOT_ALLOWED";
inline constexpr std::string_view kMalformedJson = "MALFORMED_JSON";
inline constexpr std::string_view kBadRequest = "BAD_REQUEST";
inline constexpr std::string_view kValidationFailed = "VALIDATION_FAILED";
inline constexpr std::string_view kPayloadTooLarge = "PAYLOAD_TOO_LARGE";
inline constexpr std::string_view kHeaderTooLarge = "HEADER_TOO_LARGE";
inline constexpr std::string_view kUnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE";
inline constexpr std::string_view kTooManyConnections = "TOO_MANY_CONNECTIONS";
inline constexpr std::string_view kForbidden = "FORBIDDEN";
inline constexpr std::string_view kConflict = "CONFLICT";
inline constexpr std::string_view kInternal = "INTERNAL";
inline constexpr std::string_view kUnavailable = "UNAVAILABLE";
// Storage.
inline constexpr std::string_view kDatabaseNotEmpty = "DATABASE_NOT_EMPTY";
inline constexpr std::string_view kBackupInvalid = "BACKUP_INVALID";
inline constexpr std::string_view kBlobNotFound = "BLOB_NOT_FOUND";
// Reference data.
inline constexpr std::string_view kDivisionNotFound = "DIVISION_NOT_FOUND";
inline constexpr std::string_view kCalendarYearMissing = "CALENDAR_YEAR_MISSING";
inline constexpr std::string_view kCalendarInvalid = "CALENDAR_INVALID";
inline constexpr std::string_view kInvalidDate = "INVALID_DATE";
inline constexpr std::string_view kTestClockDisabled = "TEST_CLOCK_DISABLED";
// Identity and security.
inline constexpr std::string_view kUnauthenticated = "UNAUTHENTICATED";
inline constexpr std::string_view kInvalidCredentials = "INVALID_CREDENTIALS";
inline constexpr std::string_view kCsrfMissing = "CSRF_MISSING";
inline constexpr std::string_view kMfaRequired = "MFA_REQUIRED";
inline constexpr std::string_view kMfaEnrollmentRequired = "MFA_ENROLLMENT_REQUIRED";
inline constexpr std::string_view kMfaInvalid = "MFA_INVALID";
inline constexpr std::string_view kPasswordChangeRequired = "PASSWORD_CHANGE_REQUIRED";
inline constexpr std::string_view kWeakPassword = "WEAK_PASSWORD";
inline constexpr std::string_view kOtpInvalid = "OTP_INVALID";
inline constexpr std::string_view kRateLimited = "RATE_LIMITED";
inline constexpr std::string_view kAccountExists = "ACCOUNT_EXISTS";
inline constexpr std::string_view kAccountNotFound = "ACCOUNT_NOT_FOUND";
inline constexpr std::string_view kCompanyExists = "COMPANY_EXISTS";
inline constexpr std::string_view kCompanyNotFound = "COMPANY_NOT_FOUND";
inline constexpr std::string_view kSessionNotFound = "SESSION_NOT_FOUND";
inline constexpr std::string_view kRealNameLevelRequired = "REAL_NAME_LEVEL_REQUIRED";
inline constexpr std::string_view kRoleInvalid = "ROLE_INVALID";
inline constexpr std::string_view kOidcClientNotFound = "OIDC_CLIENT_NOT_FOUND";
// Catalogue.
inline constexpr std::string_view kItemNotFound = "ITEM_NOT_FOUND";
inline constexpr std::string_view kItemVersionNotFound = "ITEM_VERSION_NOT_FOUND";
inline constexpr std::string_view kItemIncomplete = "ITEM_INCOMPLETE";
inline constexpr std::string_view kItemInvalid = "ITEM_INVALID";
inline constexpr std::string_view kItemStateConflict = "ITEM_STATE_CONFLICT";
inline constexpr std::string_view kDepartmentNotFound = "DEPARTMENT_NOT_FOUND";
inline constexpr std::string_view kScenarioNotFound = "SCENARIO_NOT_FOUND";
// Cases.
inline constexpr std::string_view kCaseTransitionInvalid = "CASE_TRANSITION_INVALID";
inline constexpr std::string_view kCaseForbidden = "CASE_FORBIDDEN";
inline constexpr std::string_view kCaseNotFound = "CASE_NOT_FOUND";
inline constexpr std::string_view kCaseConflict = "CASE_CONFLICT";
inline constexpr std::string_view kCaseTaskNotFound = "CASE_TASK_NOT_FOUND";
inline constexpr std::string_view kItemNotOnline = "ITEM_NOT_ONLINE";
inline constexpr std::string_view kMaterialTypeNotAllowed = "MATERIAL_TYPE_NOT_ALLOWED";
inline constexpr std::string_view kMaterialNotFound = "MATERIAL_NOT_FOUND";
inline constexpr std::string_view kDraftNotFound = "DRAFT_NOT_FOUND";
inline constexpr std::string_view kIdempotencyKeyReused = "IDEMPOTENCY_KEY_REUSED";
// seal
inline constexpr std::string_view kSealNotFound = "SEAL_NOT_FOUND";
inline constexpr std::string_view kSealTransitionInvalid = "SEAL_TRANSITION_INVALID";
inline constexpr std::string_view kSealForbidden = "SEAL_FORBIDDEN";
inline constexpr std::string_view kSealNotUsable = "SEAL_NOT_USABLE";
inline constexpr std::string_view kSealNotAuthorised = "SEAL_NOT_AUTHORISED";
// licence
inline constexpr std::string_view kLicenceIdInvalid = "LICENCE_ID_INVALID";
inline constexpr std::string_view kLicenceNotFound = "LICENCE_NOT_FOUND";
inline constexpr std::string_view kLicenceTypeNotFound = "LICENCE_TYPE_NOT_FOUND";
inline constexpr std::string_view kLicenceForbidden = "LICENCE_FORBIDDEN";
inline constexpr std::string_view kLicenceTransitionInvalid = "LICENCE_TRANSITION_INVALID";
inline constexpr std::string_view kLicenceGrantNotFound = "LICENCE_GRANT_NOT_FOUND";
// evaluation
inline constexpr std::string_view kEvaluationNotFound = "EVALUATION_NOT_FOUND";
inline constexpr std::string_view kEvaluationExists = "EVALUATION_EXISTS";
inline constexpr std::string_view kEvaluationTooEarly = "EVALUATION_TOO_EARLY";
inline constexpr std::string_view kEvaluationStateInvalid = "EVALUATION_STATE_INVALID";
inline constexpr std::string_view kEvaluationForbidden = "EVALUATION_FORBIDDEN";
inline constexpr std::string_view kAppealNotFound = "APPEAL_NOT_FOUND";
inline constexpr std::string_view kRatingLinkNotFound = "RATING_LINK_NOT_FOUND";
inline constexpr std::string_view kRatingLinkUsed = "RATING_LINK_USED";
inline constexpr std::string_view kRatingLinkExpired = "RATING_LINK_EXPIRED";
inline constexpr std::string_view kCallerNotVerified = "CALLER_NOT_VERIFIED";
// supervision
inline constexpr std::string_view kOrderNotFound = "ORDER_NOT_FOUND";
inline constexpr std::string_view kOrderStateInvalid = "ORDER_STATE_INVALID";
}  // namespace codes

inline constexpr ErrorCodeInfo kErrorCodes[] = {
    {codes::kNotFound, 404},
    {codes::kMethodNotAllowed, 405},
    {codes::kMalformedJson, 400},
    {codes::kBadRequest, 400},
    {codes::kValidationFailed, 422},
    {codes::kPayloadTooLarge, 413},
    {codes::kHeaderTooLarge, 431},
    {codes::kUnsupportedMediaType, 415},
    {codes::kTooManyConnections, 503},
    {codes::kForbidden, 403},
    {codes::kConflict, 409},
    {codes::kInternal, 500},
    {codes::kUnavailable, 503},
    {codes::kDatabaseNotEmpty, 409},
    {codes::kBackupInvalid, 400},
    {codes::kBlobNotFound, 404},
    {codes::kDivisionNotFound, 404},
    {codes::kCalendarYearMissing, 422},
    {codes::kCalendarInvalid, 422},
    {codes::kInvalidDate, 400},
    {codes::kTestClockDisabled, 404},
    {codes::kUnauthenticated, 401},
    {codes::kInvalidCredentials, 401},
    {codes::kCsrfMissing, 403},
    {codes::kMfaRequired, 403},
    {codes::kMfaEnrollmentRequired, 403},
    {codes::kMfaInvalid, 422},
    {codes::kPasswordChangeRequired, 403},
    {codes::kWeakPassword, 422},
    {codes::kOtpInvalid, 422},
    {codes::kRateLimited, 429},
    {codes::kAccountExists, 409},
    {codes::kAccountNotFound, 404},
    {codes::kCompanyExists, 409},
    {codes::kCompanyNotFound, 404},
    {codes::kSessionNotFound, 404},
    {codes::kRealNameLevelRequired, 403},
    {codes::kRoleInvalid, 422},
    {codes::kOidcClientNotFound, 404},
    {codes::kItemNotFound, 404},
    {codes::kItemVersionNotFound, 404},
    {codes::kItemIncomplete, 422},
    {codes::kItemInvalid, 422},
    {codes::kItemStateConflict, 409},
    {codes::kDepartmentNotFound, 404},
    {codes::kScenarioNotFound, 404},
    {codes::kCaseTransitionInvalid, 409},
    {codes::kCaseForbidden, 403},
    {codes::kCaseNotFound, 404},
    {codes::kCaseConflict, 409},
    {codes::kCaseTaskNotFound, 404},
    {codes::kItemNotOnline, 422},
    {codes::kMaterialTypeNotAllowed, 415},
    {codes::kMaterialNotFound, 404},
    {codes::kDraftNotFound, 404},
    {codes::kIdempotencyKeyReused, 422},
    {codes::kSealNotFound, 404},
    {codes::kSealTransitionInvalid, 409},
    {codes::kSealForbidden, 403},
    {codes::kSealNotUsable, 409},
    {codes::kSealNotAuthorised, 403},
    {codes::kLicenceIdInvalid, 422},
    {codes::kLicenceNotFound, 404},
    {codes::kLicenceTypeNotFound, 404},
    {codes::kLicenceForbidden, 403},
    {codes::kLicenceTransitionInvalid, 409},
    {codes::kLicenceGrantNotFound, 404},
    {codes::kEvaluationNotFound, 404},
    {codes::kEvaluationExists, 409},
    {codes::kEvaluationTooEarly, 409},
    {codes::kEvaluationStateInvalid, 409},
    {codes::kEvaluationForbidden, 403},
    {codes::kAppealNotFound, 404},
    {codes::kRatingLinkNotFound, 404},
    {codes::kRatingLinkUsed, 410},
    {codes::kRatingLinkExpired, 410},
    {codes::kCallerNotVerified, 422},
    {codes::kOrderNotFound, 404},
    {codes::kOrderStateInvalid, 409},
};

// 500 for a code missing from the table (a unit test checks every code used is listed).
constexpr int http_status_for(std::string_view code) {
  for (const auto& row : kErrorCodes)
    if (row.code == code) return row.http_status;
  return 500;
}

}  // namespace tb
