// noise_image: an image noised to x_t for a row of steps t, written side by side as one image
// strip. Every x_t uses the same reproducible noise ε (sample id 0 under the seed), so the strip
// shows q(x_t|x_0) = N(√ᾱ_t x_0, (1 − ᾱ_t) I) sliding from the data to pure noise.
//
//   noise_image [--input picture.ppm|picture.pgm] [--output strip.ppm] [--schedule linear|cosine]
//               [--t 0,50,100,250,500,1000] [--seed S]
#include <diffuse/diffuse.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <exception>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "cli.hpp"

namespace {

struct Image {
  int width = 0, height = 0, channels = 0;  // channels: 1 (PGM) or 3 (PPM)
  std::vector<unsigned char> pixels;        // row by row, channels interleaved
};

/// Reads a binary PGM (P5) or PPM (P6) with maxval 255.
Image read_pnm(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open '" + path + "'");
  std::string magic;
  in >> magic;
  Image image;
  if (magic == "P5") image.channels = 1;
  if (magic == "P6") image.channels = 3;
  if (image.channels == 0) throw std::runtime_error("'" + path + "' is not a binary PGM (P5) or PPM (P6)");
  auto next_number = [&] {
    in >> std::ws;
    while (in.peek() == '#') {
      in.ignore(1 << 20, '\n');
      in >> std::ws;
    }
    long value = -1;
    in >> value;
    return value;
  };
  const long width = next_number(), height = next_number(), maxval = next_number();
  if (!in || width < 1 || height < 1 || width > 16384 || height > 16384 || maxval != 255) {
    throw std::runtime_error("'" + path + "': need 1..16384 pixels a side and maxval 255");
  }
  in.get();  // the single white-space character before the pixels
  image.width = static_cast<int>(width);
  image.height = static_cast<int>(height);
  image.pixels.resize(static_cast<std::size_t>(width * height * image.channels));
  in.read(reinterpret_cast<char*>(image.pixels.data()), static_cast<std::streamsize>(image.pixels.size()));
  if (!in) throw std::runtime_error("'" + path + "' ends before its pixels do");
  return image;
}

/// A 128 × 128 colour test pattern: gradients, a disc and a checkerboard.
Image test_pattern() {
  Image image{128, 128, 3, {}};
  image.pixels.resize(128 * 128 * 3);
  for (int y = 0; y < 128; ++y) {
    for (int x = 0; x < 128; ++x) {
      const bool disc = (x - 80) * (x - 80) + (y - 48) * (y - 48) < 30 * 30;
      const bool check = y >= 88 && ((x / 16 + y / 16) % 2 == 0);
      unsigned char* p = &image.pixels[static_cast<std::size_t>((y * 128 + x) * 3)];
      p[0] = static_cast<unsigned char>(disc ? 240 : 2 * x);
      p[1] = static_cast<unsigned char>(disc ? 200 : (check ? 255 : 2 * y));
      p[2] = static_cast<unsigned char>(check ? 255 : (disc ? 40 : 255 - 2 * x));
    }
  }
  return image;
}

std::vector<int> parse_steps(const std::string& text) {
  std::vector<int> steps;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    char* end = nullptr;
    const long t = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || t < 0 || t > 1000000)
      throw std::invalid_argument("--t needs steps like 0,100,500 (got '" + text + "')");
    steps.push_back(static_cast<int>(t));
  }
  if (steps.empty()) throw std::invalid_argument("--t needs at least one step");
  return steps;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const diffuse_examples::Arguments args(argc, argv, {"--input", "--output", "--schedule", "--t", "--seed"},
                                           {"--help"});
    if (args.has("--help")) {
      std::cout << "usage: noise_image [--input picture.ppm|picture.pgm] [--output strip.ppm]\n"
                   "                   [--schedule linear|cosine] [--t 0,50,100,250,500,1000] [--seed S]\n"
                   "Writes the image noised to x_t for each t (T = 1000) side by side. Pixels p map to\n"
                   "x = 2p/255 - 1 and back, clipped. Without --input a built-in test pattern is used.\n";
      return 0;
    }
    const Image image = args.has("--input") ? read_pnm(args.text("--input", "")) : test_pattern();
    const std::string name = args.text("--schedule", "linear");
    if (name != "linear" && name != "cosine")
      throw std::invalid_argument("--schedule must be linear or cosine (got '" + name + "')");
    const auto schedule =
        name == "linear" ? diffuse::Schedule<float>::linear(1000) : diffuse::Schedule<float>::cosine(1000);
    const std::vector<int> steps = parse_steps(args.text("--t", "0,50,100,250,500,1000"));
    const int seed = args.integer("--seed", 0);
    if (seed < 0) throw std::invalid_argument("--seed must not be negative");

    // The batch: one column per step, each the image scaled to [-1, 1]; every column is sample id 0,
    // so every x_t is made with the same ε.
    const Eigen::Index n = static_cast<Eigen::Index>(image.pixels.size());
    const Eigen::Index k = static_cast<Eigen::Index>(steps.size());
    Eigen::VectorXf x0(n);
    for (Eigen::Index i = 0; i < n; ++i)
      x0(i) = static_cast<float>(image.pixels[static_cast<std::size_t>(i)]) / 127.5f - 1.0f;
    Eigen::MatrixXf x = x0.replicate(1, k);
    const Eigen::VectorXi t = Eigen::Map<const Eigen::VectorXi>(steps.data(), k);
    const Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1> ids = Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1>::Zero(k);
    diffuse::add_noise(schedule, x, diffuse::drawn_noise(static_cast<std::uint64_t>(seed), ids), t, x);  // in place

    const std::string output = args.text("--output", "noise_strip.ppm");
    std::ofstream out(output, std::ios::binary);
    const int gap = 4;
    const int strip_width = static_cast<int>(k) * (image.width + gap) - gap;
    out << (image.channels == 3 ? "P6" : "P5") << '\n' << strip_width << ' ' << image.height << "\n255\n";
    for (int y = 0; y < image.height; ++y) {
      for (Eigen::Index j = 0; j < k; ++j) {
        for (int xpos = 0; xpos < image.width; ++xpos) {
          for (int c = 0; c < image.channels; ++c) {
            const Eigen::Index i = (static_cast<Eigen::Index>(y) * image.width + xpos) * image.channels + c;
            const float p = std::round((x(i, j) + 1.0f) * 127.5f);
            out.put(static_cast<char>(static_cast<unsigned char>(std::clamp(p, 0.0f, 255.0f))));
          }
        }
        if (j + 1 < k) {
          for (int g = 0; g < gap * image.channels; ++g) out.put(static_cast<char>(255));
        }
      }
    }
    if (!out) throw std::runtime_error("cannot write '" + output + "'");
    std::cout << "wrote " << output << ": t =";
    for (int s : steps) std::cout << ' ' << s;
    std::cout << " (" << name << " schedule, seed " << seed << ")\n";
  } catch (const std::exception& e) {
    std::cerr << "noise_image: " << e.what() << '\n';
    return 2;
  }
  return 0;
}
