// A TrigFlow (sCM) batch handed to a rectified-flow sampler and back, at equal log-SNR per sample:
// the flow times, the scales, one exact Euler step of the flow with an oracle velocity, and the
// TrigFlow time and x_t it lands on. README, "TrigFlow, and one process's x_t in another".
#include <diffuse/diffuse.hpp>

#include <cstdio>
#include <vector>

#include <Eigen/Core>

int main() {
  Eigen::MatrixXd x0(4, 2), eps(4, 2);
  diffuse::fill_noise(2026u, Eigen::Vector2i(0, 1), x0);
  diffuse::fill_noise(7u, Eigen::Vector2i(0, 1), eps);

  const diffuse::TrigFlow<double> trig(0.5);
  const diffuse::RectifiedFlow<double> flow;
  const std::vector<double> t = {1.2, diffuse::TrigFlowTime<double>::end().value()};  // radians; end() is π/2
  const Eigen::MatrixXd x_t = diffuse::add_noise(trig, x0, eps, t);
  const Eigen::MatrixXd v = diffuse::trigflow_velocity(trig, x0, eps, t);  // sCM's target dx_t/dt
  std::vector<diffuse::TrigFlowTime<double>> times(t.begin(), t.end());
  Eigen::MatrixXd x_flow(x_t.rows(), x_t.cols());
  const auto flow_times = diffuse::convert_batch(trig, x_t, times, flow, x_flow);  // 0.5626, 1 (x_flow = ε)
  // ... a flow sampler steps x_flow ..., then back to TrigFlow at flow_times[0]:
  const auto back = diffuse::convert_coordinate(flow, flow_times[0], trig);  // t = 1.2, scale 0.828

  std::printf("TrigFlow t        flow t             x_flow/x_t\n");
  for (std::size_t j = 0; j < t.size(); ++j) {
    const Eigen::Index column = static_cast<Eigen::Index>(j);
    std::printf("%-17.15g  %-17.15g  %.15g\n", t[j], flow_times[j].value(), x_flow(0, column) / x_t(0, column));
  }
  std::printf("back: TrigFlow t = %.15g, scale %.15g\n", back.coordinate.value(), back.scale);

  // One Euler step of the flow ODE from sample 0's flow time s to s − h with the oracle velocity
  // u = ε − x_0 (the flow's noise is TrigFlow's standard ε = z/σ_d), then back to TrigFlow: it is
  // the TrigFlow x_t at the converted time (the flow's path is a straight line), up to rounding.
  const double s = flow_times[0].value(), h = 0.125, s_next = s - h;
  const Eigen::VectorXd stepped = x_flow.col(0) - h * (eps.col(0) - x0.col(0));
  const diffuse::ContinuousTime<double> at(s_next);
  const auto home = diffuse::convert_coordinate(flow, at, trig);
  const Eigen::VectorXd x_trig = home.scale * stepped;
  const Eigen::VectorXd expected =
      diffuse::add_noise(trig, x0.col(0), eps.col(0), std::vector<double>{home.coordinate.value()});
  const double error = (x_trig - expected).cwiseAbs().maxCoeff();
  std::printf("after one flow step of %g: TrigFlow t = %.15g, |x_t - expected| = %.3g\n", h, home.coordinate.value(),
              error);
  return error < 1e-14 && back.coordinate.value() == 1.2 ? 0 : 1;
}
