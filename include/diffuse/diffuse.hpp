/// The umbrella header: every public header of diffuse (the optional io/ headers excepted).
#pragma once

#include "batch.hpp"
#include "continuous.hpp"
#include "draws.hpp"
#include "flow.hpp"
#include "gaussian.hpp"
#include "kernels.hpp"
#include "noise.hpp"
#include "normal.hpp"
#include "philox.hpp"
#include "presets.hpp"
#include "schedule.hpp"
#include "sigma_schedules.hpp"
#include "spacing.hpp"
#include "time_coordinates.hpp"
#include "training_time.hpp"
#include "version.hpp"
