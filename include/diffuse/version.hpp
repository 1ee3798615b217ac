/// diffuse's version, as macros and as constants.
#pragma once

#define DIFFUSE_VERSION_MAJOR 0
#define DIFFUSE_VERSION_MINOR 1
#define DIFFUSE_VERSION_PATCH 0

namespace diffuse {
/// The library version as major * 10000 + minor * 100 + patch.
inline constexpr int version = DIFFUSE_VERSION_MAJOR * 10000 + DIFFUSE_VERSION_MINOR * 100 + DIFFUSE_VERSION_PATCH;
}  // namespace diffuse
