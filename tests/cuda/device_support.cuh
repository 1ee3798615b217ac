// What the CUDA test and benchmark share: a device array that frees itself, a CUDA status check,
// whether a GPU is there, and the digest of a batch's bits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include <cuda_runtime.h>

namespace diffuse_cuda_support {

/// Throws std::runtime_error naming the call, cudaGetErrorName and cudaGetErrorString unless status is cudaSuccess.
inline void check(cudaError_t status, const char* what) {
  if (status != cudaSuccess) {
    throw std::runtime_error(std::string(what) + ": " + cudaGetErrorName(status) + ": " + cudaGetErrorString(status));
  }
}

/// The exit code CTest reads as "skipped" (SKIP_RETURN_CODE of the test): no CUDA device here.
constexpr int skip_code = 77;

/// Whether a CUDA device can be used; says why not on standard output when it cannot.
inline bool device_present() {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess || count == 0) {
    std::printf("no CUDA device (%s): skipped\n", status != cudaSuccess ? cudaGetErrorString(status) : "none found");
    return false;
  }
  return true;
}

/// `count` values of T in device memory (cudaMalloc, 16 bytes more so that a test may start one value
/// in, off the 16-byte alignment), freed by the destructor.
template <class T>
class DeviceArray {
 public:
  explicit DeviceArray(std::size_t count) : count_(count) {
    check(cudaMalloc(reinterpret_cast<void**>(&data_), count * sizeof(T) + 16), "cudaMalloc");
  }
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;
  ~DeviceArray() { static_cast<void>(cudaFree(data_)); }  // a destructor cannot throw; errors surface at the next call

  T* data() const { return data_; }
  std::size_t size() const { return count_; }

  void upload(const T* host) {
    check(cudaMemcpy(data_, host, count_ * sizeof(T), cudaMemcpyHostToDevice), "cudaMemcpy to the device");
  }
  std::vector<T> download() const {
    std::vector<T> host(count_);
    check(cudaMemcpy(host.data(), data_, count_ * sizeof(T), cudaMemcpyDeviceToHost), "cudaMemcpy to the host");
    return host;
  }

 private:
  T* data_ = nullptr;
  std::size_t count_;
};

/// FNV-1a (64-bit) of the bytes of n values: a digest of a batch's bits, to print and compare.
template <class T>
std::uint64_t digest(const T* values, std::size_t n) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  const auto* bytes = reinterpret_cast<const unsigned char*>(values);
  for (std::size_t k = 0; k < n * sizeof(T); ++k) h = (h ^ bytes[k]) * 0x100000001b3ull;
  return h;
}

}  // namespace diffuse_cuda_support
