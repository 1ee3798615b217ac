/// The umbrella header: every public header of diffuse (the optional io/ headers excepted).
#pragma once

#include "schedule.hpp"
#include "version.hpp"
