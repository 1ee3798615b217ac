/// The umbrella header: every public header of diffuse (the optional io/ headers excepted).
#pragma once

#include "gaussian.hpp"
#include "kernels.hpp"
#include "normal.hpp"
#include "schedule.hpp"
#include "spacing.hpp"
#include "version.hpp"
