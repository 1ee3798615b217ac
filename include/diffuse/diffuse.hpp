/// The umbrella header: every public header of diffuse (the optional io/ headers excepted).
#pragma once

#include "schedule.hpp"
#include "spacing.hpp"
#include "version.hpp"
